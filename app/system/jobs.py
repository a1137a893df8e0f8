"""Housekeeping on the deadline clock: idempotency records past their expiry are deleted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.core import IdempotencyRecord
from app.worker.clock import JobContext, job


@job("purge_idempotency_records")
async def purge_idempotency_records(session: AsyncSession, ctx: JobContext) -> dict[str, Any]:
    result = await session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.expires_at < ctx.now)
    )
    return {"deleted": result.rowcount}  # type: ignore[attr-defined]
