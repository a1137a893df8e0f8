"""Photos from the public: JPEG or PNG only (sniffed from the bytes), size-capped, and stripped
of embedded metadata (EXIF with GPS and camera serials, XMP, IPTC, comments, text chunks) —
metadata can name the reporter. Stored unlinked; the intake links them to its report."""

from __future__ import annotations

import hashlib
import struct
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.attachments.storage import storage_for
from app.audit.recorder import diff
from app.auth.principal import Principal
from app.auth.scope import require
from app.config import Settings
from app.core.clock import utcnow
from app.core.errors import NotFound, PayloadTooLarge, Unprocessable, UnsupportedMediaType
from app.core.ids import new_id
from app.models.public_report import PublicReportPhoto
from app.public_reports import repository
from app.public_reports.public_audit import public_audit

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_DROPPED = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}
# JPEG markers kept: APP0 (JFIF) and APP14 (Adobe colour transform); every other APPn and COM go.
_JPEG_KEPT_APP = {0xE0, 0xEE}
UNLINKED_PHOTO_HOURS = 24


class _Malformed(Exception):
    pass


def _strip_jpeg(data: bytes) -> bytes:
    out = bytearray(data[:2])
    i = 2
    while i < len(data):
        if data[i] != 0xFF:
            raise _Malformed
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            out += data[i : i + 2]
            i += 2
            continue
        if marker == 0xD9:  # end of image
            out += data[i : i + 2]
            return bytes(out)
        if i + 4 > len(data):
            raise _Malformed
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        end = i + 2 + length
        if length < 2 or end > len(data):
            raise _Malformed
        if marker == 0xDA:  # start of scan: the rest is image data
            out += data[i:]
            return bytes(out)
        dropped = marker == 0xFE or (0xE0 <= marker <= 0xEF and marker not in _JPEG_KEPT_APP)
        if not dropped:
            out += data[i:end]
        i = end
    raise _Malformed


def _strip_png(data: bytes) -> bytes:
    out = bytearray(_PNG_SIGNATURE)
    i = len(_PNG_SIGNATURE)
    while i + 8 <= len(data):
        length = struct.unpack(">I", data[i : i + 4])[0]
        kind = data[i + 4 : i + 8]
        end = i + 12 + length
        if end > len(data):
            raise _Malformed
        if kind not in _PNG_DROPPED:
            out += data[i:end]
        i = end
        if kind == b"IEND":
            return bytes(out)
    raise _Malformed


def clean_image(data: bytes) -> tuple[str, bytes]:
    """(content type, bytes without metadata); 415 for anything but JPEG or PNG."""
    try:
        if data.startswith(b"\xff\xd8\xff"):
            return "image/jpeg", _strip_jpeg(data)
        if data.startswith(_PNG_SIGNATURE):
            return "image/png", _strip_png(data)
    except (_Malformed, struct.error) as exc:
        raise Unprocessable(
            "The image is damaged", "图片文件已损坏", code="photo_unreadable"
        ) from exc
    raise UnsupportedMediaType(
        "Only JPEG and PNG photos are accepted",
        "仅支持 JPEG、PNG 格式的照片",
        code="photo_type_unsupported",
    )


async def upload_photo(session: AsyncSession, settings: Settings, data: bytes) -> PublicReportPhoto:
    if len(data) > settings.public_report_max_photo_bytes:
        raise PayloadTooLarge(
            f"A photo may have at most {settings.public_report_max_photo_bytes} bytes",
            "照片文件过大",
            code="photo_too_large",
        )
    content_type, clean = clean_image(data)
    photo_id = new_id()
    key = f"public-reports/{photo_id}"
    await storage_for(settings).save(key, clean)
    photo = PublicReportPhoto(
        id=photo_id,
        content_type=content_type,
        size_bytes=len(clean),
        sha256=hashlib.sha256(clean).hexdigest(),
        storage_key=key,
    )
    session.add(photo)
    await session.flush()
    public_audit(
        session,
        "public_report_photo",
        photo.id,
        None,
        diff(
            None, {"content_type": content_type, "size_bytes": len(clean), "sha256": photo.sha256}
        ),
    )
    return photo


async def link_photos(
    session: AsyncSession, photo_ids: list[uuid.UUID], report_id: uuid.UUID
) -> None:
    """Each id must be a fresh photo not yet used by another report."""
    if not photo_ids:
        return
    fresh_since = utcnow() - timedelta(hours=UNLINKED_PHOTO_HOURS)
    found = set(
        (
            await session.execute(
                select(PublicReportPhoto.id).where(
                    PublicReportPhoto.id.in_(photo_ids),
                    PublicReportPhoto.report_id.is_(None),
                    PublicReportPhoto.created_at >= fresh_since,
                )
            )
        ).scalars()
    )
    missing = [str(p) for p in photo_ids if p not in found]
    if missing:
        raise Unprocessable.field(
            ["body", "photo_ids"],
            "Upload each photo first (POST /api/v1/public-reports/photos); a photo serves "
            "one report",
            "photo_not_found",
            "请先上传照片；每张照片只能用于一次举报",
            code="photo_not_found",
        )
    await session.execute(
        update(PublicReportPhoto)
        .where(PublicReportPhoto.id.in_(photo_ids))
        .values(report_id=report_id)
    )


async def photo_of(
    session: AsyncSession, report_id: uuid.UUID, photo_id: uuid.UUID
) -> PublicReportPhoto | None:
    stmt = select(PublicReportPhoto).where(
        PublicReportPhoto.id == photo_id, PublicReportPhoto.report_id == report_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def open_photo(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    report_id: uuid.UUID,
    photo_id: uuid.UUID,
) -> tuple[str, AsyncIterator[bytes]]:
    """A photo of a report the caller may see (404 otherwise)."""
    require(principal, "public_report:read")
    photo = None
    if await repository.get_row(session, principal, report_id) is not None:
        photo = await photo_of(session, report_id, photo_id)
    if photo is None:
        raise NotFound("Photo not found", "照片不存在", code="photo_not_found")
    return photo.content_type, storage_for(settings).stream(photo.storage_key)
