"""Applications that really commit: a database of their own, real pools, several clients.

The suite's usual ``app`` joins one rolled-back transaction, where no two requests can race.
These tests need what production has: each request on its own pooled connection, committing.
They run against a database of their own (created and migrated once per test worker), so the
rows they commit never meet the rollback-per-test tests.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from alembic import command
from httpx import ASGITransport, AsyncClient, Limits
from sqlalchemy.ext.asyncio import create_async_engine

from app.config import Settings
from app.db import create_engine, create_read_sessionmaker, create_sessionmaker
from app.main import create_app
from app.reference.loader import load_regions
from app.reference.seed import load_reference_data
from tests.conftest import alembic_config


async def migrate_and_seed(database_url: str) -> None:
    await asyncio.to_thread(command.upgrade, alembic_config(database_url), "head")
    engine = create_async_engine(database_url)
    async with engine.begin() as conn:
        await load_regions(conn)
        await load_reference_data(conn)
    await engine.dispose()


@asynccontextmanager
async def live_app(settings: Settings) -> AsyncIterator[Any]:
    """``create_app(settings)`` with its lifespan's state: a real engine and pool."""
    application = create_app(settings)
    engine = create_engine(settings)
    application.state.engine = engine
    application.state.sessionmaker = create_sessionmaker(engine)
    application.state.read_sessionmaker = create_read_sessionmaker(engine)
    try:
        yield application
    finally:
        await engine.dispose()


def live_client(application: Any, timeout: float = 60.0) -> AsyncClient:
    return AsyncClient(
        transport=ASGITransport(app=application),
        base_url="http://test",
        headers={"Accept-Language": "en"},
        timeout=timeout,
        limits=Limits(max_connections=None),
    )
