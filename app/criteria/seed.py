"""Criteria catalogue seed (filled in by the criteria work)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection


async def load_criteria(conn: AsyncConnection) -> None:
    return None
