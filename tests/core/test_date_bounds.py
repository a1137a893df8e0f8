"""Dates and times at the edges of the range: a 422 problem, never a 500 (app.core.timebounds).

Each case below answered 500 once (the years 0 and 10000 do not exist for Python, and asyncpg
refuses them coming back), or stored a value that made later reads fail for everyone.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.clock import utcnow
from app.models.enterprise import Enterprise
from tests.factories import COUNTY, create_department, create_enterprise, make_uscc
from tests.hazards.builders import World, hazard_body, make_world, order_body
from tests.responsibility.builders import URL as ASSIGNMENTS
from tests.responsibility.builders import official
from tests.visits.builders import HERE, complete, plan_visit, setup_unit, start

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


# --- The other domains: audit, visits, records and documents, campaigns, licences, criteria,
# reward payments and the working-day calendar take their dates and times through the same types.

VISITS = "/api/v1/inspection-visits"
DOCUMENTS = "/api/v1/enforcement-documents"
CAMPAIGNS = "/api/v1/campaigns"
NOWHERE = "0190a000-0000-7000-8000-000000000000"  # validation answers before any lookup


@pytest.mark.parametrize(
    ("param", "value", "error_type"),
    [
        ("from", LATE, "datetime_out_of_range"),
        ("to", EARLY, "datetime_out_of_range"),
        ("from", "1999-12-31T23:59:59Z", "datetime_out_of_range"),
        ("to", "2026-01-01T00:00:00", "timezone_aware"),
    ],
)
async def test_audit_time_filters_out_of_range_are_422(
    client: AsyncClient, admin: Headers, param: str, value: str, error_type: str
) -> None:
    response = await client.get("/api/v1/audit-events", params={param: value}, headers=admin)
    problem(response, ["query", param], error_type)


async def test_audit_time_filters_accept_the_edges(client: AsyncClient, admin: Headers) -> None:
    edges = {"from": "2000-01-01T00:00:00Z", "to": "2999-12-31T23:59:59+08:00"}
    response = await client.get("/api/v1/audit-events", params=edges, headers=admin)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("path", "param", "value"),
    [
        (VISITS, "planned_from", "0001-01-01"),
        (VISITS, "planned_to", "9999-12-31"),
        (f"{VISITS}/coverage", "from", "1999-12-31"),
        (f"{VISITS}/calendar", "to", "3000-01-01"),
        (DOCUMENTS, "issued_from", "0001-01-01"),
        (DOCUMENTS, "issued_to", "9999-12-31"),
        (CAMPAIGNS, "active_on", "9999-12-31"),
    ],
)
async def test_visit_date_filters_out_of_range_are_422(
    client: AsyncClient, admin: Headers, path: str, param: str, value: str
) -> None:
    period = (
        {"from": "2026-01-01", "to": "2026-01-31"}
        if path.endswith(("coverage", "calendar"))
        else {}
    )
    params = {**period, param: value}
    response = await client.get(path, params=params, headers=admin)
    problem(response, ["query", param], "date_out_of_range")


async def test_visit_date_filters_accept_the_edges(client: AsyncClient, admin: Headers) -> None:
    for path, params in (
        (VISITS, {"planned_from": "2000-01-01", "planned_to": "2999-12-31"}),
        (f"{VISITS}/coverage", {"from": "2000-01-01", "to": "2999-12-31"}),
        (f"{VISITS}/calendar", {"from": "2999-01-01", "to": "2999-12-31"}),
        (DOCUMENTS, {"issued_from": "2000-01-01", "issued_to": "2999-12-31"}),
        (CAMPAIGNS, {"active_on": "2999-12-31"}),
    ):
        response = await client.get(path, params=params, headers=admin)
        assert response.status_code == 200, (path, response.text)


async def test_visit_dates_and_times_out_of_range_are_refused(
    client: AsyncClient, admin: Headers, token: Callable[..., Headers]
) -> None:
    u = await setup_unit(client, admin, token)
    body = {
        "type": "departmental",
        "enterprise_id": u["ent"]["id"],
        "purpose": "例行执法检查",
    }
    for planned_on in ("9999-12-31", "0001-01-01", "3000-01-01"):
        response = await client.post(
            VISITS, json={**body, "planned_on": planned_on}, headers=u["official"]
        )
        problem(response, ["body", "planned_on"], "date_out_of_range")
    visit = await plan_visit(client, u["official"], u["ent"]["id"], planned_on="2999-12-31")
    assert visit["planned_on"] == "2999-12-31"
    url = f"{VISITS}/{visit['id']}"
    moved = await client.patch(url, json={"planned_on": "9999-12-31"}, headers=u["official"])
    problem(moved, ["body", "planned_on"], "date_out_of_range")
    for at, error_type in (
        (LATE, "datetime_out_of_range"),
        (EARLY, "datetime_out_of_range"),
        ("2999-01-01T00:00:00Z", "datetime_in_future"),
        ("2026-01-01T08:00:00", "timezone_aware"),
    ):
        started = await client.post(
            f"{url}/start", json={"location": HERE, "at": at}, headers=u["official"]
        )
        problem(started, ["body", "at"], error_type)
    arrived = (utcnow() - timedelta(hours=1)).isoformat()
    await start(client, u["official"], visit["id"], at=arrived)
    finish = {"summary": "检查了重点部位", "conclusion": "未发现隐患", "location": HERE}
    for at, error_type in ((LATE, "datetime_out_of_range"), (EARLY, "datetime_out_of_range")):
        done = await client.post(
            f"{url}/complete", json={**finish, "at": at}, headers=u["official"]
        )
        problem(done, ["body", "at"], error_type)
    soon = (utcnow() + timedelta(hours=1)).isoformat()
    future = await client.post(
        f"{url}/complete", json={**finish, "at": soon}, headers=u["official"]
    )
    problem(future, ["body", "at"], "datetime_in_future")
    await complete(client, u["official"], visit["id"])
    record = f"{url}/onsite-record"
    for field, value, error_type in (
        ("started_at", LATE, "datetime_out_of_range"),
        ("started_at", "2000-01-01T00:00:00+08:00", "datetime_out_of_range"),
        ("ended_at", EARLY, "datetime_out_of_range"),
        ("ended_at", "2999-01-01T00:00:00Z", "datetime_in_future"),
    ):
        response = await client.patch(record, json={field: value}, headers=u["official"])
        problem(response, ["body", field], error_type)
    edge = await client.patch(
        record, json={"started_at": "2000-01-01T08:00:00+08:00"}, headers=u["official"]
    )
    assert edge.status_code == 200, edge.text


async def test_document_dates_out_of_range_are_refused(world: World) -> None:
    body = {
        "kind": "rectification_order",
        "number": "西应急〔2026〕边界1号",
        "enterprise_id": world.ent_id,
        "issuer_name": "西湖区应急管理局",
        "issued_on": "2026-01-05",
        "legal_basis": "《安全生产法》第六十五条",
        "due_on": "2026-02-05",
        "hazard_ids": [],
    }
    for field, value in (
        ("issued_on", "9999-12-31"),
        ("issued_on", "0001-01-01"),
        ("served_on", "3000-01-01"),
        ("due_on", "9999-12-31"),
    ):
        response = await world.client.post(
            DOCUMENTS, json={**body, field: value}, headers=world.dept
        )
        problem(response, ["body", field], "date_out_of_range")
    serve = await world.client.post(
        f"{DOCUMENTS}/{NOWHERE}/serve", json={"served_on": "9999-12-31"}, headers=world.dept
    )
    problem(serve, ["body", "served_on"], "date_out_of_range")


async def test_campaign_dates_out_of_range_are_refused(
    client: AsyncClient, admin: Headers, token: Callable[..., Headers]
) -> None:
    u = await setup_unit(client, admin, token)
    body = {
        "name": "边界日期专项行动",
        "region_code": COUNTY,
        "sectors": ["hazchem"],
        "starts_on": "2026-01-01",
        "ends_on": "2026-03-01",
    }
    for field, value in (("starts_on", "0001-01-01"), ("ends_on", "9999-12-31")):
        response = await client.post(CAMPAIGNS, json={**body, field: value}, headers=u["official"])
        problem(response, ["body", field], "date_out_of_range")
    created = await client.post(
        CAMPAIGNS,
        json={**body, "starts_on": "2000-01-01", "ends_on": "2999-12-31"},
        headers=u["official"],
    )
    assert created.status_code == 201, created.text
    moved = await client.patch(
        f"{CAMPAIGNS}/{created.json()['id']}", json={"ends_on": "3000-01-01"}, headers=u["official"]
    )
    problem(moved, ["body", "ends_on"], "date_out_of_range")


async def test_licence_validity_out_of_range_is_refused(
    client: AsyncClient, admin: Headers, connection: AsyncConnection
) -> None:
    licence = {"kind": "安全生产许可证", "number": "(浙)WH安许证字〔2026〕0001"}
    for value in ("9999-12-31", "0001-01-01"):
        response = await client.post(
            "/api/v1/enterprises",
            json={
                "uscc": make_uscc(),
                "name": "边界日期化工有限公司",
                "kind": "enterprise",
                "region_code": "330106002",
                "sectors": ["hazchem"],
                "licences": [{**licence, "valid_until": value}],
            },
            headers=admin,
        )
        problem(response, ["body", "licences", 0, "valid_until"], "date_out_of_range")
    ent = await create_enterprise(
        client, admin, licences=[{**licence, "valid_until": "2999-12-31"}]
    )
    assert ent["licences"][0]["valid_until"] == "2999-12-31"
    url = f"/api/v1/enterprises/{ent['id']}"
    patched = await client.patch(
        url, json={"licences": [{**licence, "valid_until": "3000-01-01"}]}, headers=admin
    )
    problem(patched, ["body", "licences", 0, "valid_until"], "date_out_of_range")
    # A licence stored before the bounds still reads (the read shape is not the input's).
    await connection.execute(
        update(Enterprise)
        .where(Enterprise.id == uuid.UUID(ent["id"]))
        .values(licences=[{**licence, "valid_until": "9999-12-31"}])
    )
    read = await client.get(url, headers=admin)
    assert read.status_code == 200, read.text
    assert read.json()["licences"][0]["valid_until"] == "9999-12-31"


async def test_criteria_effective_date_out_of_range_is_refused(
    client: AsyncClient, admin: Headers
) -> None:
    standard = {
        "code": "bounds-2000",
        "sector": "fire",
        "title": "边界日期判定标准",
        "issuing_body": "国家市场监督管理总局",
        "document_number": "GB 0000-2000",
        "clauses": [{"code": "bounds-2000-1", "text": "示例条款"}],
    }
    for value in ("0001-01-01", "1999-12-31", "9999-12-31"):
        body = {
            "format": "anjian-criteria/1",
            "standards": [{**standard, "effective_on": value}],
        }
        response = await client.post("/api/v1/criteria/import", json=body, headers=admin)
        problem(response, ["body", "standards", 0, "effective_on"], "date_out_of_range")
    body = {
        "format": "anjian-criteria/1",
        "standards": [{**standard, "effective_on": "2000-01-01"}],
    }
    ok = await client.post("/api/v1/criteria/import", json=body, headers=admin)
    assert ok.status_code == 200, ok.text


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "3000-01-01"])
async def test_reward_payment_date_out_of_range_is_422(
    client: AsyncClient, admin: Headers, value: str
) -> None:
    response = await client.post(
        f"/api/v1/public-reports/{NOWHERE}/reward/payment",
        json={"receipt_secret": "s", "payment_reference": "P-1", "paid_on": value},
        headers=admin,
    )
    problem(response, ["body", "paid_on"], "date_out_of_range")


async def test_workday_override_date_out_of_range_is_422(
    client: AsyncClient, admin: Headers
) -> None:
    body = {"is_workday": False, "reason": "边界日期"}
    for value in ("9999-12-31", "0001-01-01", "3000-01-01"):
        put = await client.put(f"/api/v1/workday-overrides/{value}", json=body, headers=admin)
        problem(put, ["path", "on"], "date_out_of_range")
        deleted = await client.delete(f"/api/v1/workday-overrides/{value}", headers=admin)
        problem(deleted, ["path", "on"], "date_out_of_range")
    for value in ("2000-01-01", "2999-12-31"):
        edge = await client.put(f"/api/v1/workday-overrides/{value}", json=body, headers=admin)
        assert edge.status_code == 201, edge.text
        assert edge.json()["on"] == value


async def test_hazard_deadline_filters_are_bounded(client: AsyncClient, admin: Headers) -> None:
    for name, value in (("deadline_from", "0001-01-01"), ("deadline_to", "9999-12-31")):
        r = await client.get("/api/v1/hazards", params={name: value}, headers=admin)
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["loc"] == ["query", name]
    ok = await client.get(
        "/api/v1/hazards",
        params={"deadline_from": "2000-01-01", "deadline_to": "2999-12-31"},
        headers=admin,
    )
    assert ok.status_code == 200, ok.text
