"""Checklist template seed (filled in by the visits work)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection


async def load_checklists(conn: AsyncConnection) -> None:
    return None
