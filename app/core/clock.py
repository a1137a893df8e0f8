"""The one source of "now", so tests and the drill clock can move time.

Two offsets add up:

* the process offset (``set_offset``): tests move time in-process with it;
* the drill offset: the service clock an administrator moves through ``PATCH /api/v1/clock``
  in development and test environments (never production). It is stored in PostgreSQL
  (``service_clock``) so every API process and the worker see it: each request's session and
  each worker job reload it (``refresh``) before doing anything that reads the clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.core import ServiceClock

CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
PRODUCTION = "production"

_offset = timedelta(0)
_drill_offset = timedelta(0)


def utcnow() -> datetime:
    return datetime.now(UTC) + _offset + _drill_offset


def today_china() -> date:
    return utcnow().astimezone(CHINA_TZ).date()


def set_offset(offset: timedelta) -> None:
    """Shift the clock of this process (tests and the deadline-clock simulations only)."""
    global _offset
    _offset = offset


def drill_offset() -> timedelta:
    return _drill_offset


def set_drill_offset(offset: timedelta) -> None:
    """The drill offset as last read from (or written to) ``service_clock``."""
    global _drill_offset
    _drill_offset = offset


async def refresh(session: AsyncSession, environment: str) -> None:
    """Reload the drill offset from the database. Production never reads it: its clock is the
    real one whatever a copied database holds."""
    if environment == PRODUCTION:
        set_drill_offset(timedelta(0))
        return
    seconds = (
        await session.execute(select(ServiceClock.offset_seconds).where(ServiceClock.id == 1))
    ).scalar_one_or_none()
    set_drill_offset(timedelta(seconds=seconds or 0))
