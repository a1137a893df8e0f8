"""Fixed-window rate limits for the unauthenticated endpoints, counted in PostgreSQL.

Each hit is counted in its own short transaction, committed at once, so refused and failed
requests count too and the count is shared by every worker process.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.core.clock import utcnow
from app.core.errors import TooManyRequests
from app.public_reports import repository
from app.public_reports.crypto import cipher_for

INTAKE = "intake"
RECEIPT = "receipt"
PHOTO = "photo"


async def enforce(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    bucket: str,
    client_address: str | None,
) -> None:
    window = settings.public_report_rate_window_seconds
    limit = {
        INTAKE: settings.public_report_intake_per_window,
        RECEIPT: settings.public_report_receipt_per_window,
        PHOTO: settings.public_report_photo_per_window,
    }[bucket]
    now = utcnow().timestamp()
    start = math.floor(now / window) * window
    client_key = cipher_for(settings).client_key(client_address)
    async with sessionmaker() as session, session.begin():
        count = await repository.hit_rate_window(
            session,
            bucket=bucket,
            client_key=client_key,
            window_start=datetime.fromtimestamp(start, UTC),
        )
    if count > limit:
        retry_after = max(1, math.ceil(start + window - now))
        raise TooManyRequests(
            f"Too many requests from this address; try again in {retry_after} seconds",
            f"来自该地址的请求过于频繁，请 {retry_after} 秒后再试",
            code="rate_limited",
            headers={"Retry-After": str(retry_after)},
        )
