"""Housekeeping jobs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.models.core import IdempotencyRecord
from app.worker.clock import run_job
from tests.factories import COUNTY


async def test_expired_idempotency_records_are_purged(
    client: AsyncClient, admin: dict[str, str], connection: Any, settings: Any
) -> None:
    body = {"name": "x", "kind": "department", "region_code": COUNTY}
    await client.post("/api/v1/departments", json=body, headers={**admin, "Idempotency-Key": "a"})
    session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")
    count = select(func.count()).select_from(IdempotencyRecord)
    assert (await run_job(session, settings, "purge_idempotency_records"))["deleted"] == 0
    assert (await session.execute(count)).scalar_one() == 1
    clock.set_offset(timedelta(hours=settings.idempotency_ttl_hours + 1))
    assert (await run_job(session, settings, "purge_idempotency_records"))["deleted"] == 1
    assert (await session.execute(count)).scalar_one() == 0
