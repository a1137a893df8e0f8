"""The one ``service_clock`` row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.core import ServiceClock
from app.models.webhook import ClockRun


async def get(session: AsyncSession, *, for_update: bool = False) -> ServiceClock | None:
    stmt = select(ServiceClock).where(ServiceClock.id == 1)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def jobs_due_at(session: AsyncSession, now: datetime) -> None:
    """Every periodic job is due at the new "now": the worker's next tick runs them all."""
    await session.execute(update(ClockRun).values(next_run_at=now))
