"""China working-day calendar: public holidays and adjusted working days (调休).

The national calendar comes from the maintained ``chinese_calendar`` package (State Council
notices, one release per year); the ``workday_override`` table records local decisions (a county
closing offices for a typhoon, a year the package does not know yet) and always wins. Outside the
package's years, Monday to Friday are working days.

``add_working_days(day, n)`` is the n-th working day after ``day`` (before it for n < 0; ``day``
itself for n = 0). ``working_days_between(start, end)`` counts the working days in (start, end],
so ``add_working_days(start, working_days_between(start, end)) == end`` for a working ``end``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, timedelta

import chinese_calendar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.webhook import WorkdayOverride

log = logging.getLogger("anjian.workdays")
_ONE_DAY = timedelta(days=1)
_MAX_SPAN_DAYS = 366 * 20


def national_is_workday(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


class WorkdayCalendar:
    """The national calendar with local overrides (``{date: is_workday}``)."""

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self.overrides = dict(overrides or {})

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return national_is_workday(day)

    def add_working_days(self, day: date, n: int) -> date:
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        remaining = abs(n)
        current = day
        guard = 0
        while remaining:
            current += step
            guard += 1
            if guard > _MAX_SPAN_DAYS:
                raise ValueError("working-day arithmetic spans more than 20 years")
            if self.is_workday(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when ``end`` is before ``start``."""
        if end < start:
            return -self.working_days_between(end, start)
        if (end - start).days > _MAX_SPAN_DAYS:
            raise ValueError("working-day arithmetic spans more than 20 years")
        count = 0
        current = start
        while current < end:
            current += _ONE_DAY
            if self.is_workday(current):
                count += 1
        return count


_NATIONAL = WorkdayCalendar()


def is_workday(day: date, calendar: WorkdayCalendar | None = None) -> bool:
    return (calendar or _NATIONAL).is_workday(day)


def add_working_days(day: date, n: int, calendar: WorkdayCalendar | None = None) -> date:
    return (calendar or _NATIONAL).add_working_days(day, n)


def working_days_between(start: date, end: date, calendar: WorkdayCalendar | None = None) -> int:
    return (calendar or _NATIONAL).working_days_between(start, end)


async def load_calendar(session: AsyncSession) -> WorkdayCalendar:
    """The national calendar with every local override from the database."""
    rows = (await session.execute(select(WorkdayOverride.on, WorkdayOverride.is_workday))).all()
    return WorkdayCalendar({r.on: r.is_workday for r in rows})
