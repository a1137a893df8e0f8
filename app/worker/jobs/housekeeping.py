"""Housekeeping: the delivery log keeps finished deliveries for the event retention period."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.webhook import WebhookDelivery
from app.worker.clock import JobContext, job


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
