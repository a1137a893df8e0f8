"""The drill clock through HTTP: an administrator moves it (development and test only, audited);
rules, lists and the worker's jobs (which read it from PostgreSQL) follow it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, async_sessionmaker

from app.config import Settings
from app.core import clock
from app.worker.clock import run_due_jobs
from tests.events.builders import all_events
from tests.hazards.builders import World

DAY = 86400
Headers = dict[str, str]


async def _move(client: AsyncClient, admin: Headers, **body: Any) -> dict[str, Any]:
    response = await client.patch("/api/v1/clock", json=body, headers=admin)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_read_the_clock(client: AsyncClient, token: Callable[..., Headers]) -> None:
    response = await client.get("/api/v1/clock", headers=token("inspector"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["offset_seconds"] == 0
    assert body["environment"] == "test"
    assert body["adjustable"] is True
    assert response.headers["ETag"] == f'"{body["version"]}"'
    assert abs(datetime.fromisoformat(body["now"]) - datetime.now(UTC)) < timedelta(seconds=5)
    assert (await client.get("/api/v1/clock")).status_code == 401


async def test_only_an_administrator_moves_it(
    client: AsyncClient, token: Callable[..., Headers]
) -> None:
    for role in ("committee_office", "inspector", "department_official"):
        response = await client.patch(
            "/api/v1/clock", json={"offset_seconds": DAY}, headers=token(role)
        )
        assert response.status_code == 403, role
        assert response.json()["code"] == "permission_denied"


async def test_bad_moves_are_422_and_stale_version_412(client: AsyncClient, admin: Headers) -> None:
    for body in (
        {},
        {"offset_seconds": DAY, "now": "2027-01-01T00:00:00+08:00"},
        {"offset_seconds": 11 * 366 * DAY},
        {"now": "2027-01-01T00:00:00"},  # no offset
        {"offset_seconds": "1 day"},
        {"offset_seconds": DAY, "speed": 2},
    ):
        response = await client.patch("/api/v1/clock", json=body, headers=admin)
        assert response.status_code == 422, body
    response = await client.patch(
        "/api/v1/clock", json={"offset_seconds": DAY}, headers={**admin, "If-Match": '"99"'}
    )
    assert response.status_code == 412


async def test_move_by_offset_and_to_a_moment_then_back(
    client: AsyncClient, admin: Headers, connection: AsyncConnection
) -> None:
    moved = await _move(client, admin, offset_seconds=31 * DAY, reason="演练：逾期")
    assert moved["offset_seconds"] == 31 * DAY
    assert moved["updated_by"] == "test-admin"
    assert moved["reason"] == "演练：逾期"
    now = datetime.fromisoformat(moved["now"])
    assert abs(now - datetime.now(UTC) - timedelta(days=31)) < timedelta(seconds=5)
    assert date.fromisoformat(moved["today"]) == (now + timedelta(hours=8)).date()
    target = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    at = await _move(client, admin, now=target.isoformat())
    assert abs(datetime.fromisoformat(at["now"]) - target) < timedelta(seconds=5)
    assert at["version"] == moved["version"] + 1
    back = await _move(client, admin, offset_seconds=0)
    assert back["offset_seconds"] == 0
    rows = (
        await connection.execute(
            text(
                "SELECT actor_subject, action, changes FROM audit_event "
                "WHERE resource_type = 'service_clock' ORDER BY seq"
            )
        )
    ).all()
    assert [(r.actor_subject, r.action) for r in rows] == [("test-admin", "update")] * 3
    offsets = [r.changes["offset_seconds"] for r in rows]
    assert offsets[0] == {"old": 0, "new": 31 * DAY}
    assert offsets[2] == {"old": offsets[1]["new"], "new": 0}
    assert abs(offsets[1]["new"] - (target - datetime.now(UTC)).total_seconds()) < 5
    assert rows[0].changes["reason"] == {"old": None, "new": "演练：逾期"}


async def test_refused_in_production(
    app: Any, client: AsyncClient, admin: Headers, settings: Settings, connection: AsyncConnection
) -> None:
    await _move(client, admin, offset_seconds=5 * DAY)  # a database copied from a drill
    app.state.settings = settings.model_copy(update={"environment": "production"})
    response = await client.patch("/api/v1/clock", json={"offset_seconds": DAY}, headers=admin)
    assert response.status_code == 403
    assert response.json()["code"] == "clock_fixed_in_production"
    body = (await client.get("/api/v1/clock", headers=admin)).json()
    # production ignores whatever offset the database holds
    assert body["offset_seconds"] == 0
    assert body["adjustable"] is False
    assert abs(datetime.fromisoformat(body["now"]) - datetime.now(UTC)) < timedelta(seconds=5)
    stored = (
        await connection.execute(text("SELECT offset_seconds FROM service_clock"))
    ).scalar_one()
    assert stored == 5 * DAY


async def test_a_drill_through_the_api_and_the_worker(
    world: World, connection: AsyncConnection, settings: Settings
) -> None:
    """A rectification due in 30 days: 31 days later (by the drill clock) it is overdue in
    the API, and the worker — another process as far as it knows, reading the offset from
    PostgreSQL — fires the overdue event and the escalation ladder's first step."""
    client, admin = world.client, world.admin
    hz = await world.rectifying()
    assert hz["overdue"] is False
    maker = async_sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    await run_due_jobs(maker, settings, "before")
    await _move(client, admin, offset_seconds=31 * DAY, reason="演练")
    read = await client.get(f"/api/v1/hazards/{hz['id']}", headers=admin)
    assert read.json()["overdue"] is True
    listed = await client.get("/api/v1/hazards", params={"overdue": "true"}, headers=admin)
    assert [h["id"] for h in listed.json()["items"]] == [hz["id"]]
    clock.set_drill_offset(timedelta(0))  # as in a worker process that has not seen it yet
    results = await run_due_jobs(maker, settings, "drill-worker")  # all due again at once
    assert results["hazard_overdue"]["fired"] == 1, results
    types = [e["type"] for e in await all_events(client, admin)]
    assert "gov.anjian.hazard.overdue" in types
    assert "gov.anjian.hazard.escalation_step" in types
    # acting on the drill clock: an overdue rectification can now be escalated
    fined = await world.ok(
        hz,
        "escalate",
        {
            "measure": "fine",
            "grounds": "overdue",
            "document_number": "西应急罚〔2026〕7号",
            "reason": "逾期未整改",
            "fine_amount": "5000",
        },
        world.dept,
    )
    assert fined["status"] == "escalated"
