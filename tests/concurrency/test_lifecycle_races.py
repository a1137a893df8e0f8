"""Fifty clients at once on the hazards of one town: no deadlock, no 5xx, one winner per hazard.

Real commits through the HTTP API (see ``live``). Before the statistics deltas (migration 0013),
moving hazards between rollup keys in opposite directions at once deadlocked (12–26 of ~100
requests were 500) and every write of a key queued on its rollup row.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from app.config import Settings
from tests.hazards.builders import World, order_body

REGISTER = {
    "general": {"level": "general", "treatment_type": "by_deadline"},
    "major": {"level": "major", "expert_note": "专家认定为重大隐患"},
}
# every (from, to) a timeline may hold in these tests
LEGAL = {
    (None, "reported"),
    ("reported", "registered"),
    ("registered", "rectifying"),
    ("registered", "planning"),
}


async def _hazards(world: World, count: int) -> list[dict[str, Any]]:
    created: list[dict[str, Any]] = []
    for start in range(0, count, 10):
        batch = [world.hazard() for _ in range(min(10, count - start))]
        created += await asyncio.gather(*batch)
    return created


async def _timeline(world: World, hazard_id: str) -> list[tuple[str | None, str]]:
    r = await world.client.get(f"/api/v1/hazards/{hazard_id}/events", headers=world.admin)
    assert r.status_code == 200, r.text
    return [(e["from_status"], e["to_status"]) for e in r.json()["items"]]


def _no_server_errors(responses: list[Response]) -> None:
    errors = [(r.status_code, r.text[:200]) for r in responses if r.status_code >= 500]
    assert not errors, errors


async def _rollups_match_hazards(settings: Settings, town: str) -> None:
    """The statistics views equal a direct count of the town's hazards."""
    engine = create_async_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            by_view = (
                await conn.execute(
                    text(
                        "SELECT level, sum(n_reported), sum(n_registered), sum(n_rectifying), "
                        "sum(n_planning) FROM hazard_rollup_region WHERE region_code = :t "
                        "GROUP BY level HAVING sum(n_reported + n_registered + n_rectifying "
                        "+ n_planning) > 0"
                    ),
                    {"t": town},
                )
            ).all()
            direct = (
                await conn.execute(
                    text(
                        "SELECT coalesce(level, ''), count(*) FILTER (WHERE status = 'reported'), "
                        "count(*) FILTER (WHERE status = 'registered'), "
                        "count(*) FILTER (WHERE status = 'rectifying'), "
                        "count(*) FILTER (WHERE status = 'planning') FROM hazard "
                        "WHERE region_code = :t AND deleted_at IS NULL "
                        "AND status IN ('reported', 'registered', 'rectifying', 'planning') "
                        "GROUP BY 1"
                    ),
                    {"t": town},
                )
            ).all()
    finally:
        await engine.dispose()
    assert {tuple(r) for r in by_view} == {tuple(r) for r in direct}


async def test_fifty_clients_on_distinct_hazards_of_one_town(
    live_world: World, live_settings: Settings
) -> None:
    """Fifty clients at once on 25 hazards of one town, two racing for each: 12 registered
    hazards get an order to rectify (the ordering department changes: they move between
    department keys) while 13 reported ones are registered general or major (they move between
    level keys), the mix that deadlocked on the rollup rows. Exactly one of each pair gets 200,
    the other 409; no 5xx; every timeline is legal; the statistics still equal a recount."""
    world = live_world
    ordered = [await world.registered("general") for _ in range(12)]
    reported = await _hazards(world, 13)

    async def register(hazard: dict[str, Any], level: str) -> tuple[str, Response]:
        return hazard["id"], await world.act(hazard, "register", REGISTER[level], world.dept)

    async def order(hazard: dict[str, Any]) -> tuple[str, Response]:
        r = await world.act(hazard, "order-rectification", order_body(), world.dept)
        return hazard["id"], r

    race = [register(h, level) for h in reported for level in ("general", "major")]
    race += [order(h) for h in ordered for _ in range(2)]
    assert len(race) == 50
    results = await asyncio.gather(*race)
    _no_server_errors([r for _, r in results])
    assert all(r.status_code in (200, 409) for _, r in results), [
        r.text for _, r in results if r.status_code not in (200, 409)
    ]
    won = Counter(hazard_id for hazard_id, r in results if r.status_code == 200)
    assert all(won[h["id"]] == 1 for h in ordered + reported), won
    codes = {r.json()["code"] for _, r in results if r.status_code == 409}
    assert codes <= {"hazard_not_reported", "hazard_not_registered", "invalid_transition"}, codes

    for hazard in ordered + reported:
        timeline = await _timeline(world, hazard["id"])
        assert set(timeline) <= LEGAL, timeline
        assert len(timeline) == (3 if hazard in ordered else 2), timeline
    await _rollups_match_hazards(live_settings, world.enterprise["region_code"])


async def test_fifty_clients_on_one_hazard(live_world: World, live_settings: Settings) -> None:
    """Fifty registrations of one hazard at once, half with the version the client read
    (If-Match): one 200, the others 409 (already registered) or 412 (changed meanwhile)."""
    world = live_world
    hazard = (await _hazards(world, 1))[0]
    levels = ["general", "major"] * 25
    responses = await asyncio.gather(
        *(
            world.act(hazard, "register", REGISTER[level], world.dept, if_match=(i % 2) or None)
            for i, level in enumerate(levels)
        )
    )
    _no_server_errors(list(responses))
    statuses = Counter(r.status_code for r in responses)
    assert statuses[200] == 1, statuses
    assert set(statuses) <= {200, 409, 412}, statuses
    timeline = await _timeline(world, hazard["id"])
    assert timeline == [(None, "reported"), ("reported", "registered")]
    await _rollups_match_hazards(live_settings, world.enterprise["region_code"])


async def test_writers_never_wait_for_a_statistics_row(
    live: AsyncClient, live_world: World, live_settings: Settings
) -> None:
    """Two open transactions move two hazards of one rollup key in opposite directions
    (general → major and major → general): neither waits for the other (before migration
    0013 the second blocked on the rollup row, and a third move back deadlocked)."""
    world = live_world
    general = await world.registered("general")
    major = await world.registered("major")
    engine = create_async_engine(live_settings.database_url)
    update = text("UPDATE hazard SET level = :level WHERE id = :id")
    try:
        async with engine.connect() as one, engine.connect() as two:
            await one.begin()
            await two.begin()
            await one.execute(update, {"level": "major", "id": uuid.UUID(general["id"])})
            await asyncio.wait_for(
                two.execute(update, {"level": "general", "id": uuid.UUID(major["id"])}), 5
            )
            await asyncio.wait_for(
                one.execute(update, {"level": "general", "id": uuid.UUID(general["id"])}), 5
            )
            await two.commit()
            await one.commit()
    finally:
        await engine.dispose()
    await _rollups_match_hazards(live_settings, world.enterprise["region_code"])
