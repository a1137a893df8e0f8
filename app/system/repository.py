"""What the worker still has to do, read from PostgreSQL for the metrics endpoint.

Read at scrape time rather than reported by the workers, so the figures grow when no worker is
running at all, which is when an alert matters most. Each count uses an index and stops at
``CAP`` rows, so a scrape stays cheap however large the backlog. Undispatched events are those
after the dispatcher's cursor in its (xid, seq) order (``ix_outbox_event_xid_seq``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

CAP = 100_000

_BACKLOG = text(
    """
    WITH due AS (
        SELECT next_attempt_at FROM webhook_delivery
        WHERE status = 'pending' AND next_attempt_at <= now()
        ORDER BY next_attempt_at
        LIMIT :cap
    ), cursor AS (
        SELECT coalesce(max(xid), 0) AS xid, coalesce(max(seq), 0) AS seq
        FROM worker_cursor WHERE name = :cursor
    ), undispatched AS (
        SELECT e.time FROM outbox_event AS e, cursor AS c
        WHERE (e.xid, e.seq) > (c.xid, c.seq)
        ORDER BY e.xid, e.seq
        LIMIT :cap
    )
    SELECT
        (SELECT count(*) FROM due) AS webhook_due,
        (SELECT extract(epoch FROM now() - min(next_attempt_at)) FROM due) AS webhook_oldest,
        (SELECT count(*) FROM undispatched) AS events_pending,
        (SELECT extract(epoch FROM now() - min(time)) FROM undispatched) AS events_oldest
    """
)
_JOB_LAG = text(
    "SELECT job, greatest(extract(epoch FROM now() - next_run_at), 0) FROM clock_run ORDER BY job"
)


@dataclass(frozen=True)
class Backlog:
    webhook_due: int
    webhook_oldest_seconds: float
    events_pending: int
    events_oldest_seconds: float
    job_lag_seconds: dict[str, float]


async def backlog(session: AsyncSession, cursor_name: str) -> Backlog:
    row = (await session.execute(_BACKLOG, {"cap": CAP, "cursor": cursor_name})).one()
    lags = (await session.execute(_JOB_LAG)).all()
    return Backlog(
        webhook_due=int(row.webhook_due),
        webhook_oldest_seconds=float(row.webhook_oldest or 0),
        events_pending=int(row.events_pending),
        events_oldest_seconds=float(row.events_oldest or 0),
        job_lag_seconds={str(job): float(lag) for job, lag in lags},
    )
