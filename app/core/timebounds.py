"""The dates and times a client may send: the years 2000 to 2999, with an offset.

Python's ``date``/``datetime`` stop at the years 1 and 9999 and asyncpg refuses what PostgreSQL
would hand back outside them: ``9999-12-31T23:59:59-14:00`` is already the year 10000 in UTC,
``0001-01-01T00:00:00+14:00`` the year 0, and a deadline of 9999-12-31 cannot have a day added.
Such values answered 500 (or were stored and broke every later read), so every date or time
taken from a request goes through one of the types below and is refused with a 422 instead.

The range fits the domain: the hazard register starts with the Work Safety Law (2002) and the
2007 rule on hazard investigation, so nothing in it predates 2000; an open-ended validity is
``null``, and the end of 2999 leaves any plausible future date (and a day or a time zone more)
well inside what Python and PostgreSQL can represent. Month and period parameters use the same
years through ``MONTH_PATTERN`` and ``PERIOD_PATTERN``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime
from pydantic_core import PydanticCustomError

from app.core.clock import utcnow

MIN_YEAR = 2000
MAX_YEAR = 2999
EARLIEST_DATE = date(MIN_YEAR, 1, 1)
LATEST_DATE = date(MAX_YEAR, 12, 31)
EARLIEST = datetime(MIN_YEAR, 1, 1, tzinfo=UTC)
END = datetime(MAX_YEAR + 1, 1, 1, tzinfo=UTC)  # exclusive
# How far ahead of the server's clock an observed moment (a hazard's found_at) may be: devices
# in the field drift, and an offline report is stamped by the device.
CLOCK_SKEW = timedelta(minutes=5)

# YYYY-MM and YYYY / YYYY-Qn with a year from MIN_YEAR to MAX_YEAR (keep both in step with them).
MONTH_PATTERN = r"^2\d{3}-(0[1-9]|1[0-2])$"
PERIOD_PATTERN = r"^2\d{3}(-Q[1-4])?$"


def _date_in_range(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise PydanticCustomError(
            "date_out_of_range",
            "Date must be from {earliest} to {latest}",
            {"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
        )
    return value


def _datetime_in_range(value: datetime) -> datetime:
    # The year test comes first: near the years 1 and 9999, moving to UTC (which an aware
    # comparison may do) overflows. A year inside the margin compares safely.
    if not MIN_YEAR - 1 <= value.year <= MAX_YEAR + 1 or not EARLIEST <= value < END:
        raise PydanticCustomError(
            "datetime_out_of_range",
            "Date and time must be from {earliest} to before {end}",
            {"earliest": "2000-01-01T00:00:00Z", "end": "3000-01-01T00:00:00Z"},
        )
    return value


def _not_in_future(value: datetime) -> datetime:
    if value > utcnow() + CLOCK_SKEW:
        raise PydanticCustomError(
            "datetime_in_future",
            "Must not be later than now (allowing {minutes} minutes of clock skew)",
            {"minutes": int(CLOCK_SKEW.total_seconds() // 60)},
        )
    return value


BoundedDate = Annotated[date, AfterValidator(_date_in_range)]
"""A date from 2000-01-01 to 2999-12-31."""

BoundedDatetime = Annotated[AwareDatetime, AfterValidator(_datetime_in_range)]
"""A moment with an offset, from 2000-01-01T00:00Z up to (not including) 3000-01-01T00:00Z."""

ObservedDatetime = Annotated[
    AwareDatetime, AfterValidator(_datetime_in_range), AfterValidator(_not_in_future)
]
"""A moment that has happened: bounded, and not after now plus ``CLOCK_SKEW``."""
