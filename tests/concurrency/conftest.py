"""Committing applications on a database of their own (see ``live``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from httpx import AsyncClient

from app.config import Settings
from tests.concurrency.live import live_app, live_client, migrate_and_seed
from tests.conftest import create_database, drop_database, make_token
from tests.hazards.builders import World, make_world


@pytest.fixture(scope="session")
async def live_settings(
    server_url: str, worker_id_str: str, settings: Settings
) -> AsyncIterator[Settings]:
    name = f"anjian_test_{worker_id_str}_live"
    url = await create_database(server_url, name)
    await migrate_and_seed(Settings(database_url=url).database_url)
    yield settings.model_copy(
        update={"database_url": Settings(database_url=url).database_url, "db_pool_size": 10}
    )
    await drop_database(server_url, name)


@pytest.fixture
async def committing_app(live_settings: Settings) -> AsyncIterator[Any]:
    async with live_app(live_settings) as application:
        yield application


@pytest.fixture
async def live(committing_app: Any) -> AsyncIterator[AsyncClient]:
    async with live_client(committing_app) as http:
        yield http


@pytest.fixture
def live_token(live_settings: Settings) -> Callable[..., dict[str, str]]:
    def make(role: str, *, sub: str | None = None, **claims: Any) -> dict[str, str]:
        return make_token(live_settings, role, sub=sub, **claims)

    return make


@pytest.fixture
async def live_world(live: AsyncClient, live_token: Callable[..., dict[str, str]]) -> World:
    return await make_world(live, live_token, live_token("admin", sub="live-admin"))
