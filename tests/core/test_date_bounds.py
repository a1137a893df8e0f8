"""Dates and times at the edges of the range: a 422 problem, never a 500 (app.core.timebounds).

Each case below answered 500 once (the years 0 and 10000 do not exist for Python, and asyncpg
refuses them coming back), or stored a value that made later reads fail for everyone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient, Response

from app.core.clock import utcnow
from tests.factories import create_department, create_enterprise
from tests.hazards.builders import World, hazard_body, make_world, order_body
from tests.responsibility.builders import URL as ASSIGNMENTS
from tests.responsibility.builders import official

Headers = dict[str, str]

LATE = "9999-12-31T23:59:59-14:00"  # the year 10000 in UTC
EARLY = "0001-01-01T00:00:00+14:00"  # the year 0 in UTC


@pytest.fixture
async def world(client: AsyncClient, token: Callable[..., Headers], admin: Headers) -> World:
    return await make_world(client, token, admin)


def problem(response: Response, loc: list[str | int], error_type: str | None = None) -> None:
    """A 422 problem naming ``loc`` (and the error type, when given)."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == "validation_failed"
    assert body["status"] == 422
    assert body["title"]
    assert body["detail"]
    assert body["request_id"]
    matching = [e for e in body["errors"] if e["loc"] == loc]
    assert matching, body
    if error_type is not None:
        assert matching[0]["type"] == error_type, body


@pytest.mark.parametrize(
    ("path", "param", "value"),
    [
        ("/api/v1/statistics/hazards", "period_from", "0000-01"),
        ("/api/v1/statistics/hazards", "period_to", "9999-12"),
        ("/api/v1/statistics/hazards", "period_from", "1999-12"),
        ("/api/v1/statistics/inspections", "period_from", "0000-01"),
        ("/api/v1/statistics/inspections", "period_to", "9999-12"),
        ("/api/v1/statistics/responsibility", "period_from", "0000-01"),
        ("/api/v1/statistics/responsibility", "period_to", "9999-12"),
        ("/api/v1/enterprise-statistics-reports/overdue", "period", "0000"),
        ("/api/v1/enterprise-statistics-reports/overdue", "period", "9999"),
        ("/api/v1/enterprise-statistics-reports/overdue", "period", "3000-Q1"),
    ],
)
async def test_month_and_period_outside_the_years_are_422(
    client: AsyncClient, admin: Headers, path: str, param: str, value: str
) -> None:
    response = await client.get(path, params={param: value}, headers=admin)
    problem(response, ["query", param], "string_pattern_mismatch")


async def test_months_and_periods_at_the_edges_are_answered(
    client: AsyncClient, admin: Headers
) -> None:
    edges = {"period_from": "2000-01", "period_to": "2999-12"}
    for path in ("hazards", "inspections", "responsibility"):
        response = await client.get(f"/api/v1/statistics/{path}", params=edges, headers=admin)
        assert response.status_code == 200, (path, response.text)
    for period in ("2000", "2999-Q4"):
        response = await client.get(
            "/api/v1/enterprise-statistics-reports/overdue",
            params={"period": period},
            headers=admin,
        )
        assert response.status_code == 200, (period, response.text)


@pytest.mark.parametrize("value", [LATE, EARLY, "1999-12-31T23:59:59Z", "3000-01-01T00:00:00Z"])
@pytest.mark.parametrize("param", ["found_from", "found_to"])
async def test_hazard_time_filters_out_of_range_are_422(
    world: World, param: str, value: str
) -> None:
    response = await world.client.get("/api/v1/hazards", params={param: value}, headers=world.admin)
    problem(response, ["query", param], "datetime_out_of_range")
    export = await world.client.get(
        "/api/v1/hazards/export", params={param: value, "format": "csv"}, headers=world.admin
    )
    problem(export, ["query", param], "datetime_out_of_range")


async def test_hazard_time_filters_need_an_offset_and_accept_the_edges(world: World) -> None:
    naive = await world.client.get(
        "/api/v1/hazards", params={"found_from": "2026-01-01T00:00:00"}, headers=world.admin
    )
    problem(naive, ["query", "found_from"], "timezone_aware")
    edges = {"found_from": "2000-01-01T00:00:00Z", "found_to": "2999-12-31T23:59:59+08:00"}
    ok = await world.client.get("/api/v1/hazards", params=edges, headers=world.admin)
    assert ok.status_code == 200, ok.text


@pytest.mark.parametrize("value", [LATE, EARLY])
async def test_responsibility_moments_out_of_range_are_422(world: World, value: str) -> None:
    hz = await world.hazard()
    for path in (
        f"/api/v1/hazards/{hz['id']}/responsibility",
        f"/api/v1/enterprises/{world.ent_id}/responsibility",
        ASSIGNMENTS,
    ):
        response = await world.client.get(path, params={"at": value}, headers=world.admin)
        problem(response, ["query", "at"], "datetime_out_of_range")
    ok = await world.client.get(
        f"/api/v1/hazards/{hz['id']}/responsibility",
        params={"at": "2999-12-31T23:59:59+08:00"},
        headers=world.admin,
    )
    assert ok.status_code == 200, ok.text


@pytest.mark.parametrize(
    ("found_at", "error_type"),
    [
        ("9999-12-31T23:59:59Z", "datetime_out_of_range"),
        (LATE, "datetime_out_of_range"),
        ("0001-01-01T00:00:00Z", "datetime_out_of_range"),
        (EARLY, "datetime_out_of_range"),
        ("1999-12-31T23:59:59+08:00", "datetime_out_of_range"),
        ("2999-01-01T00:00:00Z", "datetime_in_future"),
    ],
)
async def test_found_at_out_of_range_is_refused(
    world: World, found_at: str, error_type: str
) -> None:
    response = await world.client.post(
        "/api/v1/hazards",
        json=hazard_body(world.ent_id, found_at=found_at),
        headers=world.admin,
    )
    problem(response, ["body", "found_at"], error_type)


async def test_found_at_bounds_and_statistics_by_month(world: World) -> None:
    soon = (utcnow() + timedelta(hours=1)).isoformat()
    late = await world.client.post(
        "/api/v1/hazards", json=hazard_body(world.ent_id, found_at=soon), headers=world.admin
    )
    problem(late, ["body", "found_at"], "datetime_in_future")
    skewed = await world.hazard(found_at=(utcnow() + timedelta(minutes=2)).isoformat())
    assert skewed["found_at"].endswith("Z") or "+" in skewed["found_at"]
    first = await world.hazard(found_at="2000-01-01T00:00:00+00:00")
    found = datetime.fromisoformat(first["found_at"].replace("Z", "+00:00"))
    assert found.tzinfo is not None
    assert found == datetime(2000, 1, 1, tzinfo=UTC)
    stats = await world.client.get(
        "/api/v1/statistics/hazards", params={"group_by": "month"}, headers=world.admin
    )
    assert stats.status_code == 200, stats.text


async def test_stored_dates_out_of_range_are_refused(world: World) -> None:
    hz = await world.registered()
    for deadline in ("9999-12-31", "3000-01-01"):
        response = await world.act(
            hz, "order-rectification", order_body(deadline=deadline), world.dept
        )
        problem(response, ["body", "deadline"], "date_out_of_range")
    far = await world.act(hz, "order-rectification", order_body(deadline="2999-12-31"), world.dept)
    assert far.status_code == 200, far.text
    extension = await world.act(
        hz,
        "request-extension",
        {"requested_deadline": "9999-12-31", "reason": "设备到货延迟"},
        world.enterprise_user,
    )
    problem(extension, ["body", "requested_deadline"], "date_out_of_range")


async def test_assignment_times_out_of_range_are_refused(
    client: AsyncClient, admin: Headers
) -> None:
    dept = await create_department(client, admin, sectors=["hazchem"])
    ent = await create_enterprise(client, admin)
    leader = await official(client, admin, dept["id"])
    body = {
        "kind": "leader_liaison",
        "holder_person_id": leader["id"],
        "object_type": "enterprise",
        "object_enterprise_id": ent["id"],
    }
    for field, value in (("valid_to", LATE), ("valid_from", EARLY)):
        response = await client.post(ASSIGNMENTS, json={**body, field: value}, headers=admin)
        problem(response, ["body", field], "datetime_out_of_range")
    open_long = await client.post(
        ASSIGNMENTS, json={**body, "valid_to": "2999-12-31T00:00:00+08:00"}, headers=admin
    )
    assert open_long.status_code == 201, open_long.text
    url = f"{ASSIGNMENTS}/{open_long.json()['id']}"
    end = await client.post(f"{url}/end", json={"reason": "调整", "at": LATE}, headers=admin)
    problem(end, ["body", "at"], "datetime_out_of_range")
    cleared = await client.patch(url, json={"public_display": None}, headers=admin)
    problem(cleared, ["body", "public_display"], "null_not_allowed")


@pytest.mark.parametrize("field", ["title", "category"])
async def test_patch_cannot_clear_a_required_hazard_field(world: World, field: str) -> None:
    hz = await world.hazard()
    url = f"/api/v1/hazards/{hz['id']}"
    response = await world.client.patch(url, json={field: None}, headers=world.dept)
    problem(response, ["body", field], "null_not_allowed")
    assert field in response.json()["errors"][0]["msg"]
    cleared = await world.client.patch(url, json={"description": None}, headers=world.dept)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["description"] is None
    assert cleared.json()[field] == hz[field]
