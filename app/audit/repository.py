"""Audit trail queries, scoped: administrators see all, a committee office its region subtree."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, false, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal, Role
from app.auth.scope import region_subtree
from app.models.audit import AuditEvent

A = AuditEvent
COLUMNS = (
    A.seq,
    A.occurred_at,
    A.actor_subject,
    A.actor_role,
    A.actor_person_id,
    A.actor_api_key_id,
    A.action,
    A.resource_type,
    A.resource_id,
    A.region_code,
    A.changes,
    A.request_id,
    A.client_address,
    A.user_agent,
)


def scope_predicate(principal: Principal) -> ColumnElement[bool]:
    if principal.role is Role.admin:
        return true()
    if principal.role is Role.committee_office and principal.region_code:
        return region_subtree(A.region_code, principal.region_code)
    return false()


def visible(principal: Principal) -> Select[Any]:
    return select(*COLUMNS).where(scope_predicate(principal))


def filtered(
    stmt: Select[Any],
    *,
    resource_type: str | None,
    resource_id: str | None,
    actor: str | None,
    actor_person_id: Any,
    actor_api_key_id: Any,
    actions: list[str],
    occurred_from: datetime | None,
    occurred_to: datetime | None,
) -> Select[Any]:
    if resource_type:
        stmt = stmt.where(A.resource_type == resource_type)
    if resource_id:
        stmt = stmt.where(A.resource_id == resource_id)
    if actor:
        stmt = stmt.where(A.actor_subject == actor)
    if actor_person_id is not None:
        stmt = stmt.where(A.actor_person_id == actor_person_id)
    if actor_api_key_id is not None:
        stmt = stmt.where(A.actor_api_key_id == actor_api_key_id)
    if actions:
        stmt = stmt.where(A.action.in_(actions))
    if occurred_from is not None:
        stmt = stmt.where(A.occurred_at >= occurred_from)
    if occurred_to is not None:
        stmt = stmt.where(A.occurred_at < occurred_to)
    return stmt


async def page(
    session: AsyncSession, stmt: Select[Any], *, before_seq: int | None, limit: int
) -> list[dict[str, Any]]:
    """Newest first, keyset on ``seq``; one row more than asked tells whether more follow."""
    if before_seq is not None:
        stmt = stmt.where(A.seq < before_seq)
    stmt = stmt.order_by(A.seq.desc()).limit(limit + 1)
    return [dict(r) for r in (await session.execute(stmt)).mappings()]
