"""Photos of public reports: the public uploads them before the report; handlers view them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile, status
from fastapi.responses import StreamingResponse

from app.auth.dependencies import PrincipalDep, SessionDep, SettingsDep
from app.config import Settings
from app.core import request_context
from app.core.problems import problems
from app.public_reports import photos, ratelimit
from app.public_reports.schemas import PublicReportPhotoRead

router = APIRouter()


async def _photo_limit(request: Request) -> None:
    settings: Settings = request.app.state.settings
    await ratelimit.enforce(
        request.app.state.sessionmaker,
        settings,
        ratelimit.PHOTO,
        request_context.current.get().client_address,
    )


@router.post(
    "/photos",
    response_model=PublicReportPhotoRead,
    status_code=status.HTTP_201_CREATED,
    responses=problems(413, 415, 429),
    openapi_extra={"security": []},
    dependencies=[Depends(_photo_limit)],
)
async def upload_public_report_photo(
    file: Annotated[UploadFile, File(description="A JPEG or PNG photo")],
    session: SessionDep,
    settings: SettingsDep,
) -> PublicReportPhotoRead:
    """Upload a photo for a report you are about to send (no account needed). The type is
    checked from the bytes; embedded metadata (EXIF/GPS, XMP, comments) is removed. Use the
    returned id in `photo_ids` within 24 hours; each photo serves one report."""
    photo = await photos.upload_photo(session, settings, await file.read())
    return PublicReportPhotoRead(
        id=photo.id, content_type=photo.content_type, size_bytes=photo.size_bytes
    )


@router.get(
    "/{report_id}/photos/{photo_id}",
    response_class=StreamingResponse,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}}}, **problems(403, 404)},
)
async def get_public_report_photo(
    report_id: uuid.UUID,
    photo_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> StreamingResponse:
    """A photo of a report the caller handles or oversees."""
    content_type, body = await photos.open_photo(session, settings, principal, report_id, photo_id)
    return StreamingResponse(
        body,
        media_type=content_type,
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )
