"""Housekeeping: the delivery log, the outbox and the sync removal log keep what their retention
periods need."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.core import SyncRemoval
from app.models.webhook import WebhookDelivery
from app.worker.clock import JobContext, job
from app.worker.dispatch import CURSOR_NAME as DISPATCH_CURSOR


@job("prune_deliveries")
async def prune_deliveries(session: AsyncSession, ctx: JobContext) -> dict[str, Any]:
    """Drop succeeded and failed deliveries older than ``ANJIAN_EVENT_RETENTION_DAYS``."""
    cutoff = ctx.now - timedelta(days=ctx.settings.event_retention_days)
    result = await session.execute(
        delete(WebhookDelivery)
        .where(WebhookDelivery.status != "pending", WebhookDelivery.created_at < cutoff)
        .returning(WebhookDelivery.id)
    )
    return {"pruned": len(result.all())}


# Rows per statement: each batch is a short transaction's worth of deletes.
OUTBOX_PRUNE_BATCH = 10_000
OUTBOX_PRUNE_BATCHES_PER_RUN = 20
_PRUNE_OUTBOX = text(
    """
    DELETE FROM outbox_event WHERE seq IN (
      SELECT e.seq FROM outbox_event AS e
      JOIN worker_cursor AS c ON c.name = :cursor
      WHERE e.time < :cutoff AND (e.xid, e.seq) <= (c.xid, c.seq)
        AND NOT EXISTS (SELECT 1 FROM webhook_delivery AS d
                        WHERE d.event_seq = e.seq AND d.status = 'pending')
      ORDER BY e.seq LIMIT :batch)
    """
)


@job("prune_outbox")
async def prune_outbox(session: AsyncSession, ctx: JobContext) -> dict[str, Any]:
    """Drop outbox events older than ``ANJIAN_EVENT_RETENTION_DAYS`` that the webhook
    dispatcher has passed and no pending delivery still needs. A feed cursor that old is
    answered 410 (resync) anyway, so nobody can ask for them again."""
    cutoff = ctx.now - timedelta(days=ctx.settings.event_retention_days)
    params = {"cursor": DISPATCH_CURSOR, "cutoff": cutoff, "batch": OUTBOX_PRUNE_BATCH}
    pruned = 0
    for _ in range(OUTBOX_PRUNE_BATCHES_PER_RUN):
        result = await session.execute(_PRUNE_OUTBOX, params)
        deleted = int(result.rowcount)  # type: ignore[attr-defined]
        pruned += deleted
        if deleted < OUTBOX_PRUNE_BATCH:
            return {"pruned": pruned, "more": False}
    return {"pruned": pruned, "more": True}  # the rest on the next run


@job("prune_sync_removals")
async def prune_sync_removals(session: AsyncSession, ctx: JobContext) -> dict[str, Any]:
    """Drop sync removals (docs/sync.md) older than ``ANJIAN_SYNC_RETENTION_DAYS`` (plus a day):
    a sync cursor that old is answered 410 (resync from 0), so nobody can need them."""
    cutoff = ctx.now - timedelta(days=ctx.settings.sync_retention_days + 1)
    result = await session.execute(
        delete(SyncRemoval).where(SyncRemoval.removed_at < cutoff).returning(SyncRemoval.seq)
    )
    return {"pruned": len(result.all())}
