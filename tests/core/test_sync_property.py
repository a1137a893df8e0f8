"""Delta sync and the event feed under real concurrent writers (real commits, several
connections, random commit delays, rollbacks) with followers polling over HTTP meanwhile.

Properties checked for every follower, on several random seeds:
- no cursor regression: each cursor's position is at or after the previous one;
- no re-send: a row version (or an event) is received at most once;
- no skip: once the writers stop, the follower's copy equals the committed table (and its
  events the committed events, none from a rolled-back transaction);
- bounded lag: it gets there within a few seconds of the last commit.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app.config import Settings
from app.core.cursors import decode_cursor
from app.db import create_read_sessionmaker, create_sessionmaker
from app.main import create_app
from tests.factories import enterprise_row

WRITERS = 4
TRANSACTIONS = 25
LAG_BOUND_S = 20.0  # generous: the CI machine is small and shared

_INSERT = text(
    "INSERT INTO enterprise (id, uscc, name, kind, region_code, sectors, licences, status, "
    "version) VALUES (:id, :uscc, :name, :kind, :region_code, :sectors, '[]'::jsonb, "
    ":status, 1)"
)
_UPDATE = text(
    "UPDATE enterprise SET name = :name, version = version + 1 "
    "WHERE id = :id AND deleted_at IS NULL"
)
_DELETE = text(
    "UPDATE enterprise SET deleted_at = now(), version = version + 1 "
    "WHERE id = :id AND deleted_at IS NULL"
)
_EVENT = text(
    "INSERT INTO outbox_event (id, source, type, subject, time, data) "
    "VALUES (:id, '/anjian/test', 'gov.anjian.test.sync', :subject, now(), '{}'::jsonb)"
)


@pytest.fixture
async def real_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(settings.database_url, pool_size=WRITERS + 6, max_overflow=4)
    try:
        yield engine
    finally:
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM outbox_event WHERE source = '/anjian/test'"))
            await conn.execute(text("DELETE FROM enterprise WHERE name LIKE 'sync-prop-%'"))
        await engine.dispose()


def http_client(settings: Settings, engine: AsyncEngine) -> AsyncClient:
    application = create_app(settings)
    application.state.sessionmaker = create_sessionmaker(engine)
    application.state.read_sessionmaker = create_read_sessionmaker(engine)
    return AsyncClient(transport=ASGITransport(app=application), base_url="http://test")


class World:
    """What the writers did, and whether they are done."""

    def __init__(self) -> None:
        self.ids: list[uuid.UUID] = []
        self.events_committed: set[str] = set()
        self.events_rolled_back: set[str] = set()
        self.done = False
        self.last_commit = 0.0


async def writer(engine: AsyncEngine, world: World, rng: random.Random, n: int) -> None:
    for i in range(TRANSACTIONS):
        async with engine.connect() as conn:
            trans = await conn.begin()
            # the transaction takes its id at once, then holds it for a while: younger ones
            # commit first, which is what a reader must not skip over
            ids: list[uuid.UUID] = []
            for _ in range(rng.randrange(1, 4)):
                roll = rng.random()
                if roll < 0.4 or not world.ids:
                    new = uuid.uuid4()
                    row = enterprise_row(name=f"sync-prop-{n}-{i}")
                    await conn.execute(_INSERT, {**row, "id": new})
                    ids.append(new)
                elif roll < 0.92:
                    target = rng.choice(world.ids)
                    await conn.execute(_UPDATE, {"id": target, "name": f"sync-prop-{n}-{i}"})
                else:
                    await conn.execute(_DELETE, {"id": rng.choice(world.ids)})
                await conn.execute(_EVENT, {"id": uuid.uuid4(), "subject": f"test/{n}/{i}"})
            delay = rng.choice([0, 0, 0.005, 0.02, 0.05, 0.3])
            await asyncio.sleep(delay)
            rows = await conn.execute(
                text("SELECT id FROM outbox_event WHERE subject = :s"), {"s": f"test/{n}/{i}"}
            )
            mine = {str(r) for r in rows.scalars()}
            if rng.random() < 0.2:
                await trans.rollback()
                world.events_rolled_back |= mine
            else:
                await trans.commit()
                world.ids.extend(ids)
                world.events_committed |= mine
                world.last_commit = time.monotonic()
        await asyncio.sleep(rng.choice([0, 0.001, 0.01]))


async def truth(engine: AsyncEngine) -> dict[str, tuple[int, bool]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT id, version, deleted_at IS NOT NULL FROM enterprise "
                "WHERE name LIKE 'sync-prop-%'"
            )
        )
        return {str(r[0]): (int(r[1]), bool(r[2])) for r in rows}


class Follower:
    def __init__(self, http: AsyncClient, headers: dict[str, str], settings: Settings) -> None:
        self.http = http
        self.headers = headers
        self.copy: dict[str, tuple[int, bool]] = {}
        self.received: set[tuple[str, int]] = set()
        self.events: set[str] = set()
        self.resent: list[Any] = []
        self.regressions: list[Any] = []
        self.secret = settings.cursor_secret

    def position(self, kind: str, cursor: str) -> tuple[int, int]:
        if cursor == "0":
            return (0, 0)
        data = decode_cursor(self.secret, kind, cursor)
        return int(data["x"]), int(data["s"])

    async def poll_rows(self, cursor: str, limit: int) -> str:
        r = await self.http.get(
            "/api/v1/enterprises",
            params={"changed_since": cursor, "limit": limit},
            headers=self.headers,
        )
        assert r.status_code == 200, r.text
        body = r.json()
        for item in body["items"]:
            if not item["name"].startswith("sync-prop-"):
                continue
            key = (item["id"], item["version"])
            if key in self.received:
                self.resent.append(key)
            self.received.add(key)
            self.copy[item["id"]] = (item["version"], item["deleted_at"] is not None)
        nxt: str = body["next_cursor"]
        if self.position("sync:enterprise", nxt) < self.position("sync:enterprise", cursor):
            self.regressions.append((cursor, nxt))
        return nxt

    async def poll_events(self, after: str, limit: int) -> str:
        r = await self.http.get(
            "/api/v1/events",
            params={"after": after, "limit": limit, "type": "gov.anjian.test.sync"},
            headers=self.headers,
        )
        assert r.status_code == 200, r.text
        body = r.json()
        for event in body["items"]:
            if event["id"] in self.events:
                self.resent.append(event["id"])
            self.events.add(event["id"])
        nxt: str = body["next_cursor"]
        if self.position("sync:events", nxt) < self.position("sync:events", after):
            self.regressions.append((after, nxt))
        return nxt


async def follow(follower: Follower, world: World, engine: AsyncEngine, seed: int) -> float:
    """Poll until caught up after the writers stop; returns the lag after the last commit."""
    rng = random.Random(seed)
    cursor, after = "0", "0"
    while True:
        cursor = await follower.poll_rows(cursor, rng.randrange(1, 12))
        after = await follower.poll_events(after, rng.randrange(1, 12))
        if world.done:
            expected = await truth(engine)
            copy = {k: v for k, v in follower.copy.items() if k in expected}
            if copy == expected and follower.events >= world.events_committed:
                return time.monotonic() - world.last_commit
            if time.monotonic() - world.last_commit > LAG_BOUND_S:
                missing = {k: v for k, v in expected.items() if follower.copy.get(k) != v}
                late = world.events_committed - follower.events
                raise AssertionError(f"not caught up in {LAG_BOUND_S}s; missing {missing} {late}")
        await asyncio.sleep(rng.choice([0, 0.005, 0.02]))


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_followers_under_concurrent_writers(
    settings: Settings,
    real_engine: AsyncEngine,
    token: Callable[..., dict[str, str]],
    seed: int,
) -> None:
    rng = random.Random(seed)
    world = World()
    admin = token("admin", sub="sync-property")
    async with http_client(settings, real_engine) as http:
        followers = [Follower(http, admin, settings) for _ in range(3)]
        follow_tasks = [
            asyncio.create_task(follow(f, world, real_engine, seed * 10 + k))
            for k, f in enumerate(followers)
        ]
        try:
            await asyncio.gather(
                *(
                    writer(real_engine, world, random.Random(rng.random()), n)
                    for n in range(WRITERS)
                )
            )
        except BaseException:
            for task in follow_tasks:
                task.cancel()
            raise
        world.done = True
        lags = await asyncio.gather(*follow_tasks)
    assert world.events_committed  # both paths were exercised
    assert world.events_rolled_back
    for f in followers:
        assert f.regressions == []
        assert f.resent == []
        assert not (f.events & world.events_rolled_back)
    assert max(lags) < LAG_BOUND_S
