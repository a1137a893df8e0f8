"""Attachments over HTTP: upload (multipart), metadata, download."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status
from fastapi.responses import StreamingResponse

from app.attachments import service
from app.attachments.enums import AttachmentPurpose
from app.attachments.schemas import AttachmentFilter, AttachmentList, AttachmentRead
from app.attachments.storage import storage_for
from app.auth.dependencies import PrincipalDep, SessionDep, SettingsDep
from app.core.problems import problems

router = APIRouter(prefix="/attachments", tags=["attachments"])


@router.post(
    "",
    response_model=AttachmentRead,
    status_code=status.HTTP_201_CREATED,
    responses=problems(403, 404, 413, 415),
)
async def upload_attachment(
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="JPEG, PNG, WebP or PDF")],
    hazard_id: Annotated[uuid.UUID | None, Form()] = None,
    hazard_event_id: Annotated[uuid.UUID | None, Form()] = None,
    visit_id: Annotated[uuid.UUID | None, Form()] = None,
    purpose: Annotated[AttachmentPurpose, Form()] = AttachmentPurpose.other,
) -> AttachmentRead:
    """Store a photo or document for a hazard (or one of its timeline events) or for an
    inspection visit (checklist photos, signature images; referenced by their ids afterwards).
    The type is checked against the bytes (415 otherwise); the size limit is
    `max_attachment_bytes` (413)."""
    data = await file.read(settings.max_attachment_bytes + 1)
    attachment = await service.upload_attachment(
        session,
        storage_for(settings),
        principal,
        max_bytes=settings.max_attachment_bytes,
        hazard_id=hazard_id,
        hazard_event_id=hazard_event_id,
        visit_id=visit_id,
        purpose=purpose,
        filename=file.filename,
        data=data,
    )
    response.headers["Location"] = f"/api/v1/attachments/{attachment.id}"
    return attachment


@router.get("", response_model=AttachmentList, responses=problems(403, 404))
async def list_attachments(
    session: SessionDep, principal: PrincipalDep, query: Annotated[AttachmentFilter, Query()]
) -> AttachmentList:
    """Attachments of a hazard (optionally of one timeline event) or of a visit, oldest
    first."""
    return await service.list_attachments(session, principal, query)


@router.get("/{attachment_id}", response_model=AttachmentRead, responses=problems(403, 404))
async def get_attachment(
    attachment_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> AttachmentRead:
    return await service.get_attachment(session, principal, attachment_id)


@router.get(
    "/{attachment_id}/content",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}}, **problems(403, 404)},
)
async def download_attachment(
    attachment_id: uuid.UUID, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> StreamingResponse:
    """The file itself, only to callers who can see its hazard."""
    meta, chunks = await service.open_content(
        session, storage_for(settings), principal, attachment_id
    )
    disposition = f"attachment; filename*=UTF-8''{quote(meta.filename)}"
    return StreamingResponse(
        chunks,
        media_type=meta.content_type,
        headers={
            "Content-Disposition": disposition,
            "Content-Length": str(meta.size_bytes),
            "ETag": f'"{meta.sha256}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
