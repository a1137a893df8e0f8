"""Notification queries: only what is addressed to the caller, their department or unit."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.models.webhook import Notification

N = Notification
# 0 while unread, 1 once read: "unread first" as a keyset sort key
READ_RANK = case((N.read_at.is_(None), 0), else_=1)
COLUMNS = (
    N.id,
    N.kind,
    N.title,
    N.body,
    N.resource_type,
    N.resource_id,
    N.data,
    N.created_at,
    N.read_at,
    READ_RANK.label("_sort_read"),
)
SORTABLE: dict[str, Any] = {"read": READ_RANK, "created_at": N.created_at, "id": N.id}


def addressed_to(principal: Principal) -> ColumnElement[bool]:
    clauses: list[ColumnElement[bool]] = []
    if principal.person_id is not None:
        clauses.append(N.recipient_person_id == principal.person_id)
    if principal.department_id is not None:
        clauses.append(N.recipient_department_id == principal.department_id)
    if principal.enterprise_id is not None:
        clauses.append(N.recipient_enterprise_id == principal.enterprise_id)
    if principal.region_code:
        clauses.append(
            and_(
                N.recipient_region_code == principal.region_code,
                N.recipient_role == principal.role.value,
            )
        )
    return or_(*clauses) if clauses else false()


def mine(principal: Principal, unread: bool | None) -> Select[Any]:
    stmt = select(*COLUMNS).where(addressed_to(principal))
    if unread is True:
        stmt = stmt.where(N.read_at.is_(None))
    elif unread is False:
        stmt = stmt.where(N.read_at.isnot(None))
    return stmt


async def get_for_update(
    session: AsyncSession, principal: Principal, notification_id: uuid.UUID
) -> Notification | None:
    stmt = select(N).where(N.id == notification_id, addressed_to(principal)).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_row(session: AsyncSession, notification_id: uuid.UUID) -> dict[str, Any]:
    row = (await session.execute(select(*COLUMNS).where(N.id == notification_id))).mappings().one()
    return dict(row)
