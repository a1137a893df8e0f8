"""Column reads without the ORM's object machinery.

A ``select()`` of columns executed through the session still goes through the ORM's execution
and row-loading layers, which cost more than the query for a page of wide rows. Lists and reads
that want plain mappings run the same statement on the session's connection instead (same
transaction, same compiled-statement cache).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession


async def fetch_mappings(session: AsyncSession, stmt: Select[Any]) -> list[dict[str, Any]]:
    connection = await session.connection()
    return [dict(row) for row in (await connection.execute(stmt)).mappings()]


async def fetch_mapping(session: AsyncSession, stmt: Select[Any]) -> dict[str, Any] | None:
    """The first row of a statement that selects at most one (by key)."""
    rows = await fetch_mappings(session, stmt)
    return rows[0] if rows else None
