"""PostgreSQL killed (SIGKILL, every backend) under a write load, then restarted.

Pass rule: no acknowledged write is lost, the API answers 503 ``service_unavailable`` with
``Retry-After`` while the database is gone (never 500, one warning line for the outage rather
than a traceback per request), and writes succeed again without restarting the application.
Marked ``fault`` (about a minute: its own cluster, migrated and seeded): ``-m "not fault"``
skips it locally; CI runs it.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest
from httpx import Response

from app.config import Settings
from app.core import dberrors
from tests.concurrency.cluster import Cluster
from tests.concurrency.live import live_app, live_client, migrate_and_seed
from tests.conftest import create_database
from tests.hazards.builders import World, hazard_body, make_world

WRITERS = 6


class Load:
    """Writers creating hazards with their own ids until stopped; what each answer was."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.phase = "before"
        self.acknowledged: set[uuid.UUID] = set()
        self.answers: Counter[tuple[str, int]] = Counter()
        self.unexpected: list[tuple[int, str]] = []
        self.stopping = asyncio.Event()

    async def writer(self) -> None:
        while not self.stopping.is_set():
            hazard_id = uuid.uuid4()
            body = hazard_body(self.world.ent_id, id=str(hazard_id))
            response = await self.world.client.post(
                "/api/v1/hazards", json=body, headers=self.world.admin
            )
            self.answers[(self.phase, response.status_code)] += 1
            if response.status_code in (200, 201):
                self.acknowledged.add(hazard_id)
            elif response.status_code == 503 and _unavailable(response):
                await asyncio.sleep(0.05)
            else:
                self.unexpected.append((response.status_code, response.text[:300]))

    def written(self, phase: str) -> int:
        return self.answers[(phase, 201)] + self.answers[(phase, 200)]


def _unavailable(response: Response) -> bool:
    return (
        response.headers.get("content-type") == "application/problem+json"
        and response.json()["code"] == "service_unavailable"
        and response.headers.get("retry-after", "").isdigit()
    )


async def _wait_for(condition: Callable[[], bool], within: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.1)


@pytest.mark.fault
async def test_database_killed_and_restarted_under_write_load(
    settings: Settings, live_token: Callable[..., dict[str, str]], caplog: Any
) -> None:
    cluster = Cluster()
    try:
        await asyncio.to_thread(cluster.init)
        await cluster.start()
        url = Settings(
            database_url=await create_database(cluster.server_url, "anjian")
        ).database_url
        await migrate_and_seed(url)
        app_settings = settings.model_copy(
            update={"database_url": url, "db_pool_size": 4, "unavailable_retry_after_seconds": 2}
        )
        dberrors.incidents.last_failure = float("-inf")
        caplog.set_level(logging.WARNING)
        async with live_app(app_settings) as application, live_client(application) as client:
            world = await make_world(client, live_token, live_token("admin", sub="fault-admin"))
            load = Load(world)
            writers = [asyncio.create_task(load.writer()) for _ in range(WRITERS)]
            try:
                await _wait_for(lambda: load.written("before") >= 20, 60)
                cluster.kill()
                load.phase = "down"
                await _wait_for(lambda: load.answers[("down", 503)] >= 20, 30)
                await cluster.start()
                load.phase = "after"
                await _wait_for(lambda: load.written("after") >= 20, 60)
            finally:
                load.stopping.set()
                await asyncio.wait_for(asyncio.gather(*writers), 60)

        print("answers by phase and status:", dict(load.answers))
        assert not load.unexpected, load.unexpected
        assert load.answers[("down", 503)] >= 20
        assert not any(status >= 500 and status != 503 for _, status in load.answers)
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            present = await conn.fetchval(
                "SELECT count(*) FROM hazard WHERE id = ANY($1::uuid[])", list(load.acknowledged)
            )
        finally:
            await conn.close()
        assert present == len(load.acknowledged), "an acknowledged write was lost"
        outages = [r for r in caplog.records if "database unavailable" in r.getMessage()]
        assert len(outages) == 1, [r.getMessage() for r in outages]
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    finally:
        await asyncio.to_thread(cluster.remove)
