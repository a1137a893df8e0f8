"""Repeated creates at once: one Idempotency-Key or one client id never makes two rows.

Real commits through the HTTP API (see ``live``), several clients at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from app.config import Settings
from tests.concurrency.live import live_app, live_client
from tests.hazards.builders import World, hazard_body, make_world

CREATES = 100  # hazards, each sent 5 times at once with one key
WAVE = 10  # keys per wave: 50 requests in flight (the pool is 10 + 5 connections)


async def _count(settings: Settings, sql: str, **params: Any) -> int:
    engine = create_async_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text(sql), params)).scalar_one())
    finally:
        await engine.dispose()


def _replayed(r: Response) -> bool:
    return r.headers.get("idempotent-replayed") == "true"


async def test_idempotency_storm(live_world: World, live_settings: Settings) -> None:
    """100 creates, each sent 5 times at once with the same Idempotency-Key: 100 rows; per
    key one execution, every other answer the byte-identical replay or 409 in flight, and a
    later repeat replays the same bytes."""
    world = live_world
    marker = uuid.uuid4().hex[:10]
    keys = [f"storm-{marker}-{n}" for n in range(CREATES)]
    bodies = {
        k: hazard_body(world.ent_id, title=f"幂等风暴{marker}-{n}") for n, k in enumerate(keys)
    }

    async def send(key: str) -> Response:
        headers = {**world.admin, "Idempotency-Key": key}
        return await world.client.post("/api/v1/hazards", json=bodies[key], headers=headers)

    answers: dict[str, list[Response]] = {}
    for start in range(0, CREATES, WAVE):
        wave = keys[start : start + WAVE]
        sent = await asyncio.gather(*(send(k) for k in wave for _ in range(5)))
        for n, key in enumerate(wave):
            answers[key] = list(sent[n * 5 : n * 5 + 5])

    for key, responses in answers.items():
        assert all(r.status_code < 500 for r in responses), [r.text for r in responses]
        first = [r for r in responses if r.status_code == 201 and not _replayed(r)]
        assert len(first) == 1, [(r.status_code, r.text[:100]) for r in responses]
        for r in responses:
            if r is first[0]:
                continue
            if r.status_code == 409:
                assert r.json()["code"] == "idempotency_in_flight"
            else:
                assert (r.status_code, _replayed(r), r.content) == (201, True, first[0].content)
        later = await send(key)
        assert (later.status_code, _replayed(later), later.content) == (
            201,
            True,
            first[0].content,
        )
    rows = await _count(
        live_settings, "SELECT count(*) FROM hazard WHERE title LIKE :t", t=f"幂等风暴{marker}-%"
    )
    assert rows == CREATES


async def test_same_client_id_five_times_at_once(live_world: World) -> None:
    """The same create with a client-chosen id, 5 times at once: one 201, four 200 with the
    same resource; with 5 different bodies: one 201, four 409 id_conflict (never ``conflict``)."""
    world = live_world
    for _ in range(4):
        hazard_id = str(uuid.uuid4())
        body = hazard_body(world.ent_id, id=hazard_id)
        same = await asyncio.gather(
            *(world.client.post("/api/v1/hazards", json=body, headers=world.admin) for _ in "12345")
        )
        assert sorted(r.status_code for r in same) == [200, 200, 200, 200, 201], [
            r.text[:200] for r in same
        ]
        assert all(r.json() == same[0].json() for r in same)

        other_id = str(uuid.uuid4())
        different = await asyncio.gather(
            *(
                world.client.post(
                    "/api/v1/hazards",
                    json=hazard_body(world.ent_id, id=other_id, title=f"不同请求体{n}"),
                    headers=world.admin,
                )
                for n in range(5)
            )
        )
        assert sorted(r.status_code for r in different) == [201, 409, 409, 409, 409]
        assert {r.json()["code"] for r in different if r.status_code == 409} == {"id_conflict"}


async def test_slow_original_and_a_retry_after_the_lock_time(
    live_settings: Settings, live_token: Callable[..., dict[str, str]]
) -> None:
    """The original create waits behind the county's code counter for longer than the key's
    lock; the client's retry takes the key over. Only one of them commits: one row, and the
    other answer is the replay or 409 idempotency_in_flight, never a second hazard."""
    settings = live_settings.model_copy(update={"idempotency_lock_seconds": 1})
    async with live_app(settings) as application, live_client(application) as client:
        world = await _world(client, live_token)
        await world.hazard()  # the county's counter row for this year exists
        marker = uuid.uuid4().hex[:10]
        body = hazard_body(world.ent_id, title=f"慢请求{marker}")
        headers = {**world.admin, "Idempotency-Key": f"slow-{marker}"}
        engine = create_async_engine(settings.database_url)
        try:
            async with engine.connect() as blocker:
                await blocker.begin()
                await blocker.execute(text("SELECT * FROM hazard_code_counter FOR UPDATE"))
                original = asyncio.create_task(
                    client.post("/api/v1/hazards", json=body, headers=headers)
                )
                await asyncio.sleep(1.5)  # the original's claim expires meanwhile
                retry = asyncio.create_task(
                    client.post("/api/v1/hazards", json=body, headers=headers)
                )
                await asyncio.sleep(0.5)
                assert not original.done()
                assert not retry.done()
                await blocker.rollback()
            first, second = await asyncio.wait_for(asyncio.gather(original, retry), 30)
        finally:
            await engine.dispose()
        answers = sorted([first, second], key=lambda r: r.status_code)
        assert answers[0].status_code == 201, answers[0].text
        assert answers[1].status_code == 409, answers[1].text
        assert answers[1].json()["code"] == "idempotency_in_flight"
        assert answers[0] is second  # the retry holds the key: its execution is the one kept
        again = await client.post("/api/v1/hazards", json=body, headers=headers)
        assert (again.status_code, _replayed(again), again.content) == (201, True, second.content)
    rows = await _count(
        live_settings, "SELECT count(*) FROM hazard WHERE title = :t", t=f"慢请求{marker}"
    )
    assert rows == 1


async def _world(client: AsyncClient, live_token: Callable[..., dict[str, str]]) -> World:
    return await make_world(client, live_token, live_token("admin", sub="live-admin"))


async def test_a_key_whose_writes_committed_is_never_run_again(
    live_world: World, live_settings: Settings
) -> None:
    """A key its business transaction marked done (the fence) but whose answer was never
    stored (the database failed right after the commit): a retry is not executed again; it
    gets 409 in flight while the claim's lock lasts, then 409 idempotency_not_replayable."""
    world = live_world
    key = f"lost-{uuid.uuid4().hex[:10]}"
    body = hazard_body(world.ent_id, title=f"答复丢失{key}")
    caller = hashlib.sha256(world.admin["Authorization"].encode()).hexdigest()
    digest = hashlib.sha256(b"/api/v1/hazards\0\0" + json.dumps(body).encode()).hexdigest()
    engine = create_async_engine(live_settings.database_url)
    insert_record = text(
        "INSERT INTO idempotency_record (caller, key, request_hash, locked_until, claim, "
        "committed_at, expires_at) VALUES (:c, :k, :h, now() + make_interval(secs => :lock), "
        ":claim, now(), now() + interval '1 day')"
    )
    try:
        async with engine.begin() as conn:
            await conn.execute(
                insert_record,
                {"c": caller, "k": key, "h": digest, "lock": 60, "claim": uuid.uuid4()},
            )
        headers = {**world.admin, "Idempotency-Key": key, "Content-Type": "application/json"}
        content = json.dumps(body).encode()
        held = await world.client.post("/api/v1/hazards", content=content, headers=headers)
        assert (held.status_code, held.json()["code"]) == (409, "idempotency_in_flight")
        async with engine.begin() as conn:
            await conn.execute(
                text("UPDATE idempotency_record SET locked_until = NULL WHERE key = :k"), {"k": key}
            )
        lost = await world.client.post("/api/v1/hazards", content=content, headers=headers)
        assert (lost.status_code, lost.json()["code"]) == (409, "idempotency_not_replayable")
    finally:
        await engine.dispose()
    rows = await _count(
        live_settings, "SELECT count(*) FROM hazard WHERE title = :t", t=f"答复丢失{key}"
    )
    assert rows == 0
