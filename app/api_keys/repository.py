"""API key queries. Keys are managed by administrators only: the scope is all or nothing."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Select, false, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.models.identity import ApiKey

K = ApiKey
COLUMNS: tuple[Any, ...] = (
    K.id,
    K.name,
    K.prefix,
    K.role,
    K.region_code,
    K.sectors,
    K.read_only,
    K.created_by,
    K.created_at,
    K.revoked_at,
    K.last_used_at,
)
SORTABLE = {"name": K.name, "created_at": K.created_at, "id": K.id}


def scope_predicate(principal: Principal) -> ColumnElement[bool]:
    return true() if principal.can("api_key:manage") else false()


def visible(principal: Principal) -> Select[Any]:
    return select(*COLUMNS, K.sync_xid, K.sync_seq).where(scope_predicate(principal))


def filtered(stmt: Select[Any], *, revoked: bool | None) -> Select[Any]:
    if revoked is True:
        stmt = stmt.where(K.revoked_at.is_not(None))
    elif revoked is False:
        stmt = stmt.where(K.revoked_at.is_(None))
    return stmt


async def get_row(
    session: AsyncSession, principal: Principal, key_id: uuid.UUID
) -> dict[str, Any] | None:
    row = (await session.execute(visible(principal).where(K.id == key_id))).mappings().first()
    return dict(row) if row else None


async def get_for_update(
    session: AsyncSession, principal: Principal, key_id: uuid.UUID
) -> ApiKey | None:
    stmt = select(K).where(K.id == key_id, scope_predicate(principal)).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()
