"""Region queries (public reference data: not scoped)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.reference import Region

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
