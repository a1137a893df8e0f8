"""The change horizon: below it, every transaction of this database has finished.

Readers of the outbox and of delta sync return a row only when its writing
transaction id is below the horizon, so a row whose transaction commits late is never jumped
over by a reader that already moved on.

``pg_snapshot_xmin`` alone would do, but it counts the writing transactions of *every* database
on the server: a long import in a neighbouring database would stall the feed. The horizon is
therefore the oldest transaction id still running *in this database* (``pg_stat_activity``,
prepared transactions), capped by the ``xmax`` of a snapshot taken just before: every id below
that was assigned before, and is either listed as running or has finished (and is then visible
to the next statement, read committed).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_SNAPSHOT = text(
    "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint, "
    "coalesce(pg_current_xact_id_if_assigned()::text::bigint, -1)"
)
_RUNNING = text(
    "SELECT backend_xid::text::bigint FROM pg_stat_activity "
    "WHERE datname = current_database() AND backend_xid IS NOT NULL "
    "AND pid <> pg_backend_pid() "
    "UNION ALL SELECT transaction::text::bigint FROM pg_prepared_xacts "
    "WHERE database = current_database()"
)
_CLEAR = text("SELECT pg_stat_clear_snapshot()")
_EPOCH = 1 << 32


def widen(xid32: int, reference: int) -> int:
    """A 32-bit xid as the 64-bit id (``xid8``) nearest below ``reference``."""
    wide = (reference & ~(_EPOCH - 1)) | xid32
    return wide - _EPOCH if wide > reference else wide


async def horizon(session: AsyncSession) -> tuple[int, int]:
    """(horizon, own transaction id or -1). Two statements, in this order (see module doc)."""
    xmax, own = (await session.execute(_SNAPSHOT)).one()
    await session.execute(_CLEAR)  # backend status is otherwise cached for the transaction
    running = [widen(int(x), int(xmax)) for x in (await session.execute(_RUNNING)).scalars()]
    # The caller's own transaction is still running too: a cursor must not move past it, or its
    # later writes (visible to it by id) would fall behind the cursor.
    if int(own) >= 0:
        running.append(int(own))
    return min([int(xmax), *running]), int(own)
