"""What a database failure means for the request that met it.

- **retryable**: the transaction lost a race and was rolled back by PostgreSQL (serialization
  failure 40001, deadlock 40P01), or a create lost the race for its client-chosen id (a
  primary-key violation: the winner's row is now visible, and running again answers as a
  repeat); the request can run again as a whole.
- **unavailable**: the database cannot be reached or went away (connection refused or lost,
  shutting down or starting up, out of connections, the pool exhausted): 503.

SQLAlchemy wraps the driver's exception (``.orig``) which may wrap asyncpg's (``__cause__``);
every level is looked at.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import exc as sa_exc

log = logging.getLogger("anjian.database")

RETRYABLE_STATES = frozenset({"40001", "40P01"})
# connection exception (class 08), operator intervention (57P0x), too many connections (53300)
UNAVAILABLE_STATES = frozenset({"57P01", "57P02", "57P03", "53300"})
_DRIVER_GONE = (
    asyncpg.exceptions.InterfaceError,  # "connection is closed", "cannot perform operation…"
    asyncpg.exceptions.InternalClientError,  # "cannot switch to state…"
    asyncpg.exceptions.ConnectionDoesNotExistError,
    ConnectionError,  # refused, reset
    TimeoutError,  # connecting took too long
    sa_exc.TimeoutError,  # no connection from the pool in time
)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen or len(seen) > 8:
            continue
        seen.add(id(current))
        yield current
        stack += [getattr(current, "orig", None), current.__cause__, current.__context__]


def sqlstate(exc: BaseException) -> str | None:
    for link in _chain(exc):
        state = getattr(link, "sqlstate", None) or getattr(link, "pgcode", None)
        if isinstance(state, str) and state:
            return state
    return None


def constraint_name(exc: BaseException) -> str | None:
    for link in _chain(exc):
        name = getattr(link, "constraint_name", None)
        if isinstance(name, str) and name:
            return name
    return None


def is_duplicate_id(exc: BaseException) -> bool:
    """A create inserted an id another transaction committed meanwhile (primary key)."""
    return sqlstate(exc) == "23505" and (constraint_name(exc) or "").startswith("pk_")


def is_retryable(exc: BaseException) -> bool:
    return sqlstate(exc) in RETRYABLE_STATES or is_duplicate_id(exc)


def is_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    state = sqlstate(exc)
    if state is not None:
        return state.startswith("08") or state in UNAVAILABLE_STATES
    return any(isinstance(link, _DRIVER_GONE) for link in _chain(exc))


def is_statement_error(exc: BaseException) -> bool:
    """PostgreSQL refused a statement and said why: the connection itself is sound (a
    rollback resets it). Anything else may leave the driver mid-operation."""
    state = sqlstate(exc)
    return state is not None and not is_unavailable(exc)


class Incidents:
    """One warning line per database outage instead of a traceback per request: an outage is
    reported when the first failure comes after ``quiet_seconds`` without one."""

    def __init__(self, quiet_seconds: float = 30.0) -> None:
        self.quiet_seconds = quiet_seconds
        self.last_failure = float("-inf")
        self.failures = 0

    def failed(self, exc: BaseException) -> None:
        now = time.monotonic()
        if now - self.last_failure > self.quiet_seconds:
            self.failures = 0
            log.warning(
                "database unavailable (%s: %s); answering 503 until it is back",
                type(exc).__name__,
                str(exc)[:200],
            )
        self.failures += 1
        self.last_failure = now


incidents = Incidents()
