"""The one source of "now", so tests and the deadline clock can move time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")

_offset = timedelta(0)


def utcnow() -> datetime:
    return datetime.now(UTC) + _offset


def today_china() -> date:
    return utcnow().astimezone(CHINA_TZ).date()


def set_offset(offset: timedelta) -> None:
    """Shift the clock (tests and the deadline-clock simulations only)."""
    global _offset
    _offset = offset
