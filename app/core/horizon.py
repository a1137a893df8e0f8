"""The change horizon: below it, every transaction of this database has finished.

Readers of the outbox and of delta sync return a row only when its writing transaction id is
below the horizon, so a row whose transaction commits late is never jumped over by a reader that
already moved on. Every id here is a 64-bit transaction id with its epoch (``xid8``, what
``pg_current_xact_id()`` stamps on rows), so ids never wrap.

``pg_snapshot_xmin`` alone would do, but it counts the transactions of *every* database on the
server: a long import in a neighbouring database would stall the feed. The horizon is therefore
computed from a snapshot ``S`` taken first and the transactions running *in this database*
read after it (``pg_stat_activity``, prepared transactions):

* every id below ``xmin(S)`` has finished (PostgreSQL's own guarantee);
* every id in ``[xmin(S), xmax(S))`` has finished or was running when ``S`` was taken; one of
  this database still running when the activity is read is listed there, one that finished
  before is visible to the next statement (read committed / autocommit);
* every id at or above ``xmax(S)`` is ignored: the horizon never exceeds ``xmax(S)``, so such a
  transaction — including one that took its id between the two reads — cannot matter. (The one
  exception is the caller's own id, assigned before ``S``: ids below it were assigned before it,
  so running ones among them are listed too, and the cap is ``max(xmax(S), own)``.)

``pg_stat_activity`` shows 32-bit ids; ``widen`` gives each the one 64-bit id within 2^31 of
``xmax(S)`` (PostgreSQL keeps every live id that close), and ids outside ``[xmin(S), xmax(S))``
are dropped. The result always lies in ``[xmin(S), xmax(S)]`` and, over time, never decreases
(new ids are at or above every earlier ``xmax``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# First statement: the snapshot (64-bit bounds), the caller's own id if it has one, and a fresh
# read of backend status for the next statement (it is otherwise cached for the transaction).
_SNAPSHOT = text(
    "SELECT pg_snapshot_xmin(s)::text::bigint, pg_snapshot_xmax(s)::text::bigint, "
    "coalesce(pg_current_xact_id_if_assigned()::text::bigint, -1), pg_stat_clear_snapshot() "
    "FROM pg_current_snapshot() AS s"
)
# Second statement, strictly after the snapshot: ids of this database still running.
_RUNNING = text(
    "SELECT backend_xid::text::bigint FROM pg_stat_activity "
    "WHERE datname = current_database() AND backend_xid IS NOT NULL "
    "AND pid <> pg_backend_pid() "
    "UNION ALL SELECT transaction::text::bigint FROM pg_prepared_xacts "
    "WHERE database = current_database()"
)
_EPOCH = 1 << 32
_HALF = 1 << 31


def widen(xid32: int, reference: int) -> int:
    """The 64-bit id (``xid8``) whose low 32 bits are ``xid32``, nearest to ``reference``.

    Live ids are always within 2^31 of the next id to be assigned, so for a running transaction
    and ``reference = xmax`` of a fresh snapshot this is its true id, above or below ``xmax``.
    Never negative: there is no id below 0.
    """
    if not 0 <= xid32 < _EPOCH:
        raise ValueError(f"not a 32-bit transaction id: {xid32}")
    wide = (reference & ~(_EPOCH - 1)) | xid32
    if wide > reference + _HALF:
        wide -= _EPOCH
    elif wide <= reference - _HALF:
        wide += _EPOCH
    return wide if wide >= 0 else wide + _EPOCH


@dataclass(frozen=True)
class Horizon:
    """``below``: every transaction of this database with a smaller id has finished (or is the
    caller's own, ``own``; -1 when the caller has none). ``own`` is included in ``below``'s
    minimum, so a cursor never moves past the caller's own later writes."""

    below: int
    own: int = -1

    @property
    def own_rows_safe(self) -> bool:
        """Rows of the caller's own transaction may be returned (and passed) only when nothing
        older is still running: then its later writes still come after the cursor."""
        return self.own >= 0 and self.own == self.below


def compute(xmin: int, xmax: int, running32: Iterable[int], own: int = -1) -> Horizon:
    """The pure rule (unit-tested on its edge cases): see the module docstring."""
    if xmin > xmax:
        raise ValueError(f"snapshot xmin {xmin} above xmax {xmax}")
    # Every id below ``cap`` was assigned before the activity was read: below xmax(S) by
    # definition, below the caller's own id because ids are handed out in order.
    cap = max(xmax, own)
    below = cap
    for x in running32:
        wide = widen(x, xmax)
        if xmin <= wide < below:
            below = wide
    if 0 <= own < below:
        below = own
    return Horizon(below, own)


async def horizon(session: AsyncSession) -> Horizon:
    """Two statements, in this order (see the module docstring)."""
    xmin, xmax, own, _ = (await session.execute(_SNAPSHOT)).one()
    running = (await session.execute(_RUNNING)).scalars().all()
    return compute(int(xmin), int(xmax), (int(x) for x in running), int(own))
