"""Reading the audit trail (writing it is ``recorder.record_audit``)."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import repository
from app.audit.schemas import AuditEventFilter, AuditEventRead
from app.auth.principal import Principal
from app.auth.scope import require
from app.config import Settings
from app.core.cursors import decode_cursor, encode_cursor
from app.core.errors import BadRequest


def _cursor_kind(query: AuditEventFilter) -> str:
    filters = query.model_dump(exclude={"limit", "cursor"}, mode="json")
    digest = hashlib.sha256(json.dumps(filters, sort_keys=True).encode()).hexdigest()[:16]
    return "audit:" + digest


async def list_audit_events(
    session: AsyncSession, settings: Settings, principal: Principal, query: AuditEventFilter
) -> tuple[list[AuditEventRead], str | None]:
    require(principal, "audit:read")
    size = min(query.limit or settings.page_limit_default, settings.audit_page_limit_max)
    kind = _cursor_kind(query)
    before: int | None = None
    if query.cursor:
        value = decode_cursor(settings.cursor_secret, kind, query.cursor).get("s")
        if not isinstance(value, int):
            raise BadRequest(
                "The cursor is invalid or belongs to another query",
                "分页游标无效或不属于本次查询",
                code="invalid_cursor",
            )
        before = value
    stmt = repository.filtered(
        repository.visible(principal),
        resource_type=query.resource_type,
        resource_id=query.resource_id,
        actor=query.actor,
        actor_person_id=query.actor_person_id,
        actor_api_key_id=query.actor_api_key_id,
        actions=list(query.action),
        occurred_from=query.occurred_from,
        occurred_to=query.occurred_to,
    )
    rows = await repository.page(session, stmt, before_seq=before, limit=size)
    next_cursor = (
        encode_cursor(settings.cursor_secret, kind, {"s": rows[size - 1]["seq"]})
        if len(rows) > size
        else None
    )
    return [AuditEventRead.model_validate(r) for r in rows[:size]], next_cursor
