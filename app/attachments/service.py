"""Evidence files: checked (type from the bytes, size), hashed, stored, linked to a hazard or a
visit."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import filetype  # type: ignore[import-untyped,unused-ignore]
from sqlalchemy.ext.asyncio import AsyncSession

from app.attachments import repository
from app.attachments.enums import ALLOWED_TYPES, AttachmentPurpose
from app.attachments.schemas import AttachmentFilter, AttachmentList, AttachmentRead
from app.attachments.storage import AttachmentStorage
from app.audit.recorder import diff, record_audit
from app.auth.principal import Principal
from app.auth.scope import require
from app.core.errors import NotFound, PayloadTooLarge, Unprocessable, UnsupportedMediaType
from app.core.ids import new_id
from app.events.outbox import emit_event
from app.models.attachment import Attachment
from app.visits import repository as visits

RESOURCE = "attachment"


def _not_found() -> NotFound:
    return NotFound("Attachment not found", "附件不存在", code="attachment_not_found")


def _hazard_not_found() -> NotFound:
    return NotFound("Hazard not found", "事故隐患不存在", code="hazard_not_found")


def sniff(data: bytes) -> str:
    """The content type from the bytes themselves; anything but JPEG/PNG/WebP/PDF is 415."""
    kind = filetype.guess(data[:8192]) if data else None
    mime = getattr(kind, "mime", None)
    if mime not in ALLOWED_TYPES:
        raise UnsupportedMediaType(
            "Only JPEG, PNG, WebP images and PDF documents are accepted",
            "仅支持 JPEG、PNG、WebP 图片和 PDF 文档",
            code="attachment_type_unsupported",
        )
    return str(mime)


def clean_filename(name: str | None) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    base = "".join(ch for ch in base if ch.isprintable())
    return base[:255] or "attachment"


def _read(row: dict[str, Any]) -> AttachmentRead:
    return AttachmentRead.model_validate(row)


async def _owner(
    session: AsyncSession,
    principal: Principal,
    hazard_id: uuid.UUID | None,
    hazard_event_id: uuid.UUID | None,
    visit_id: uuid.UUID | None,
) -> dict[str, Any]:
    """The visit or hazard the file will belong to, within the caller's scope (404 otherwise);
    a timeline event stands for its hazard."""
    if visit_id is not None:
        visit = await visits.get_row(session, principal, visit_id)
        if visit is None:
            raise NotFound("Visit not found", "检查不存在", code="visit_not_found")
        return visit
    if hazard_event_id is not None:
        event_hazard = await repository.event_hazard_id(session, hazard_event_id)
        if event_hazard is None or (hazard_id is not None and event_hazard != hazard_id):
            raise NotFound(
                "Hazard event not found", "隐患处理记录不存在", code="hazard_event_not_found"
            )
        hazard_id = event_hazard
    if hazard_id is None:
        raise Unprocessable.field(
            ["body", "hazard_id"],
            "Give hazard_id, hazard_event_id or visit_id",
            "missing",
            "须指定 hazard_id、hazard_event_id 或 visit_id",
            code="attachment_target_required",
        )
    hazard = await repository.visible_hazard(session, principal, hazard_id)
    if hazard is None:
        raise _hazard_not_found()
    return {**hazard, "hazard_id": hazard_id}


async def upload_attachment(
    session: AsyncSession,
    storage: AttachmentStorage,
    principal: Principal,
    *,
    max_bytes: int,
    hazard_id: uuid.UUID | None,
    hazard_event_id: uuid.UUID | None,
    visit_id: uuid.UUID | None = None,
    purpose: AttachmentPurpose,
    filename: str | None,
    data: bytes,
) -> AttachmentRead:
    require(principal, "attachment:write")
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            f"The file exceeds {max_bytes} bytes",
            f"文件超过 {max_bytes} 字节上限",
            code="attachment_too_large",
        )
    if visit_id is not None and (hazard_id is not None or hazard_event_id is not None):
        raise Unprocessable.field(
            ["body", "visit_id"],
            "An attachment belongs to a hazard or to a visit, not both",
            "one_owner",
            "附件只能属于一条隐患或一次检查",
            code="attachment_one_owner",
        )
    owner = await _owner(session, principal, hazard_id, hazard_event_id, visit_id)
    hazard_id = owner.get("hazard_id")
    content_type = sniff(data)
    attachment_id = new_id()
    digest = hashlib.sha256(data).hexdigest()
    key = f"{digest[:2]}/{attachment_id}"
    await storage.save(key, data)
    row = Attachment(
        id=attachment_id,
        hazard_id=hazard_id,
        hazard_event_id=hazard_event_id,
        visit_id=visit_id,
        purpose=purpose.value,
        filename=clean_filename(filename),
        content_type=content_type,
        size_bytes=len(data),
        sha256=digest,
        storage_key=key,
        uploaded_by=principal.subject,
        uploaded_by_role=principal.role.value,
    )
    session.add(row)
    await session.flush()
    record_audit(
        session,
        principal,
        action="create",
        resource_type=RESOURCE,
        resource_id=attachment_id,
        changes=diff(
            None,
            {
                "hazard_id": hazard_id,
                "hazard_event_id": hazard_event_id,
                "visit_id": visit_id,
                "purpose": row.purpose,
                "filename": row.filename,
                "sha256": digest,
                "content_type": content_type,
                "size_bytes": len(data),
            },
        ),
        region_code=owner["region_code"],
    )
    emit_event(
        session,
        "attachment.created",
        resource_type=RESOURCE,
        resource_id=attachment_id,
        data={
            "hazard_id": str(hazard_id) if hazard_id else None,
            "visit_id": str(visit_id) if visit_id else None,
            "purpose": purpose.value,
            "content_type": content_type,
            "sha256": digest,
            "version": 1,
        },
        region_code=owner["region_code"],
        sectors=list(owner["sectors"]),
        enterprise_id=owner["enterprise_id"],
    )
    return await get_attachment(session, principal, attachment_id)


async def get_attachment(
    session: AsyncSession, principal: Principal, attachment_id: uuid.UUID
) -> AttachmentRead:
    require(principal, "attachment:read")
    row = await repository.get_row(session, principal, attachment_id)
    if row is None:
        raise _not_found()
    return _read(row)


async def list_attachments(
    session: AsyncSession, principal: Principal, query: AttachmentFilter
) -> AttachmentList:
    require(principal, "attachment:read")
    if query.visit_id is not None:
        if await visits.get_row(session, principal, query.visit_id) is None:
            raise NotFound("Visit not found", "检查不存在", code="visit_not_found")
        rows = await repository.of_visit(session, principal, query.visit_id)
        return AttachmentList(items=[_read(r) for r in rows])
    assert query.hazard_id is not None  # the filter requires one of the two
    if await repository.visible_hazard(session, principal, query.hazard_id) is None:
        raise _hazard_not_found()
    rows = await repository.of_hazard(session, principal, query.hazard_id, query.hazard_event_id)
    return AttachmentList(items=[_read(r) for r in rows])


async def open_content(
    session: AsyncSession,
    storage: AttachmentStorage,
    principal: Principal,
    attachment_id: uuid.UUID,
) -> tuple[AttachmentRead, AsyncIterator[bytes]]:
    """The bytes, only for callers who can see the hazard or the visit."""
    require(principal, "attachment:read")
    row = await repository.get_row(session, principal, attachment_id)
    if row is None:
        raise _not_found()
    return _read(row), storage.stream(row["storage_key"])
