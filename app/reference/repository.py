"""Region queries (public reference data: not scoped)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.reference import Department, Region

_COLUMNS = (Region.code, Region.name, Region.level, Region.parent_code)


async def children(session: AsyncSession, parent_code: str | None) -> list[dict[str, Any]]:
    stmt = select(*_COLUMNS).order_by(Region.code)
    stmt = stmt.where(Region.parent_code == parent_code if parent_code else Region.level == 1)
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


async def with_ancestors(session: AsyncSession, code: str) -> list[dict[str, Any]]:
    """The region and its ancestors, root first (empty when unknown)."""
    prefixes = [code[:n] for n in (2, 4, 6, 9, 12) if n <= len(code)]
    stmt = select(*_COLUMNS).where(Region.code.in_(prefixes)).order_by(Region.level)
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


async def exists(session: AsyncSession, code: str) -> bool:
    return (
        await session.execute(select(Region.code).where(Region.code == code))
    ).first() is not None


async def region_names(session: AsyncSession, codes: Iterable[str]) -> dict[str, str]:
    """Names of regions by code (for exports naming the towns they cite)."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    stmt = select(Region.code, Region.name).where(Region.code.in_(wanted))
    return {r.code: r.name for r in (await session.execute(stmt)).all()}


async def department_names(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    wanted = sorted(set(ids), key=str)
    if not wanted:
        return {}
    stmt = select(Department.id, Department.name).where(Department.id.in_(wanted))
    return {r.id: r.name for r in (await session.execute(stmt)).all()}
