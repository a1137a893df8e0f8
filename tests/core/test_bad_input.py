"""Bad input is a 4xx problem, never a 500; an unexpected error is a 500 problem inside the
request's context (request id, language), logged once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.core.clock import today_china
from app.departments import service as departments_service
from tests.factories import COUNTY, TOWN, create_department, create_enterprise, make_uscc
from tests.people.builders import create_person
from tests.public_reports.builders import report_body
from tests.statistics.builders import csv_bytes, upload
from tests.visits.builders import plan_visit, setup_unit

PROBLEM = "application/problem+json"
Headers = dict[str, str]


def _problem(response: Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert (body["status"], body["code"]) == (status, code), body
    assert body["request_id"] == response.headers["x-request-id"]
    return body


def _field(body: dict[str, Any]) -> list[Any]:
    return [e["loc"] for e in body["errors"]]


# --- 1. the 500 problem -------------------------------------------------------------------


async def test_unexpected_error_is_a_problem_in_the_request_context(
    client: AsyncClient,
    admin: Headers,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(departments_service, "list_departments", boom)
    caplog.set_level(logging.ERROR, logger="anjian.errors")
    for language, title in (("en", "Internal server error"), ("zh-CN", "服务器内部错误")):
        caplog.clear()
        response = await client.get(
            "/api/v1/departments",
            headers={**admin, "Accept-Language": language, "X-Request-ID": f"req-{language}"},
        )
        body = _problem(response, 500, "internal_error")
        assert body["request_id"] == f"req-{language}"
        assert body["title"] == title
        assert response.headers["content-language"] == language
        assert "secret internals" not in response.text
        logged = [r for r in caplog.records if r.name == "anjian.errors"]
        assert len(logged) == 1
        assert logged[0].exc_info is not None
        assert f"req-{language}" in logged[0].getMessage()
    monkeypatch.undo()
    assert (await client.get("/api/v1/departments", headers=admin)).status_code == 200


# --- 2. database data exceptions from client values ----------------------------------------

_DATA_ERRORS = [
    ("22021", ["SELECT CAST(:v AS text)"], {"v": "x\x00y"}, "invalid_character"),
    ("22P05", ["SELECT CAST(:v AS jsonb)"], {"v": '"\\u0000"'}, "invalid_character"),
    (
        "22001",
        [
            "CREATE TEMP TABLE bad_input_short (v varchar(1))",
            "INSERT INTO bad_input_short VALUES (:v)",
        ],
        {"v": "too long"},
        "value_too_long",
    ),
    ("22003", ["SELECT 2147483647 + CAST(:v AS integer)"], {"v": 1}, "number_out_of_range"),
    ("22008", ["SELECT date '5874897-12-31' + 1"], {}, "date_out_of_range"),
    # refused by asyncpg itself (data exception 22000): an int4 parameter beyond int32
    ("22000", ["SELECT CAST(:v AS integer)"], {"v": 99_999_999_999}, "value_not_storable"),
]


@pytest.mark.parametrize(
    ("statements", "params", "code"),
    [case[1:] for case in _DATA_ERRORS],
    ids=[case[0] for case in _DATA_ERRORS],
)
async def test_database_data_errors_are_422(
    client: AsyncClient,
    admin: Headers,
    monkeypatch: pytest.MonkeyPatch,
    statements: list[str],
    params: dict[str, Any],
    code: str,
) -> None:
    async def refused(session: AsyncSession, *args: Any, **kwargs: Any) -> Any:
        for statement in statements:
            await session.execute(text(statement), params if ":v" in statement else {})
        raise AssertionError("the database should have refused the value")

    monkeypatch.setattr(departments_service, "list_departments", refused)
    body = _problem(await client.get("/api/v1/departments", headers=admin), 422, code)
    assert "varchar" not in body["detail"]
    assert "UTF8" not in body["detail"]
    monkeypatch.undo()  # the request's transaction was rolled back: the next one works
    assert (await client.get("/api/v1/departments", headers=admin)).status_code == 200


async def test_other_database_errors_stay_500_without_driver_text(
    client: AsyncClient, admin: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def divide(session: AsyncSession, *args: Any, **kwargs: Any) -> Any:
        await session.execute(text("SELECT 1 / 0"))

    monkeypatch.setattr(departments_service, "list_departments", divide)
    response = await client.get("/api/v1/departments", headers=admin)
    _problem(response, 500, "internal_error")
    assert "division" not in response.text


async def test_nul_in_json_text_is_422_and_writes_nothing(
    client: AsyncClient, admin: Headers, connection: AsyncConnection
) -> None:
    counts = text(
        "SELECT (SELECT count(*) FROM department), (SELECT count(*) FROM audit_event),"
        " (SELECT count(*) FROM outbox_event)"
    )
    await client.get("/api/v1/departments", headers=admin)  # a first sign-in writes its rows
    before = (await connection.execute(counts)).one()
    response = await client.post(
        "/api/v1/departments",
        json={"name": "x\u0000y", "kind": "department", "region_code": COUNTY},
        headers=admin,
    )
    _problem(response, 422, "invalid_character")
    assert (await connection.execute(counts)).one() == before
    await create_department(client, admin)  # the connection is usable again


async def test_nul_in_query_string_is_422_before_the_database(
    client: AsyncClient, admin: Headers
) -> None:
    response = await client.get("/api/v1/enterprises", params={"q": "\x00"}, headers=admin)
    body = _problem(response, 422, "invalid_character")
    assert _field(body) == [["query", "q"]]
    zh = await client.get(
        "/api/v1/enterprises?q=a%00b", headers={**admin, "Accept-Language": "zh-CN"}
    )
    assert "NUL" in _problem(zh, 422, "invalid_character")["detail"]
    literal = await client.get("/api/v1/enterprises", params={"q": "%00"}, headers=admin)
    assert literal.status_code == 200  # the text "%00" itself is an ordinary search


async def test_nul_in_public_report_is_422(client: AsyncClient, app: Any) -> None:
    app.state.settings = app.state.settings.model_copy(
        update={"public_report_intake_per_window": 1000}
    )
    response = await client.post(
        "/api/v1/public-reports", json=report_body(subject_name="x\u0000", region_code=COUNTY)
    )
    _problem(response, 422, "invalid_character")


async def test_nul_in_import_row_is_an_ordinary_row_error(
    client: AsyncClient, admin: Headers
) -> None:
    rows = [
        ["Unified social credit code", "Name", "Region code", "Sectors"],
        [make_uscc(), "导入\x00单位", TOWN, "hazchem"],
        [make_uscc(), "导入正常单位", TOWN, "hazchem"],
    ]
    response = await upload(client, admin, csv_bytes(rows), dry_run=True)
    assert response.status_code == 201, response.text
    job = response.json()
    assert (job["created_rows"], job["error_rows"]) == (1, 1), job
    [row] = job["errors"]
    assert row["row_number"] == 2
    assert row["values"]["Name"] == "导入\ufffd单位"


# --- 3. array filters on enum lists ---------------------------------------------------------


async def test_department_sector_filter(client: AsyncClient, admin: Headers) -> None:
    school = await create_department(client, admin, name="教育局", sectors=["school"])
    fire = await create_department(client, admin, name="消防救援大队", sectors=["fire"])
    response = await client.get(
        "/api/v1/departments", params={"sector": "school", "limit": 200}, headers=admin
    )
    assert response.status_code == 200, response.text
    ids = {d["id"] for d in response.json()["items"]}
    assert school["id"] in ids
    assert fire["id"] not in ids
    assert all("school" in d["sectors"] for d in response.json()["items"])


async def test_enterprise_sector_filter_and_export(client: AsyncClient, admin: Headers) -> None:
    fire = await create_enterprise(client, admin, name="过滤消防单位", sectors=["fire"])
    hazchem = await create_enterprise(client, admin, name="过滤化工单位", sectors=["hazchem"])
    listed = await client.get(
        "/api/v1/enterprises", params={"sector": "fire", "limit": 200}, headers=admin
    )
    assert listed.status_code == 200, listed.text
    ids = {e["id"] for e in listed.json()["items"]}
    assert fire["id"] in ids
    assert hazchem["id"] not in ids
    exported = await client.get(
        "/api/v1/enterprises/export",
        params={"sector": "hazchem", "format": "csv"},
        headers=admin,
    )
    assert exported.status_code == 200, exported.text
    csv_text = exported.content.decode("utf-8-sig")
    assert "过滤化工单位" in csv_text
    assert "过滤消防单位" not in csv_text


async def test_people_role_filter(client: AsyncClient, admin: Headers) -> None:
    department = await create_department(client, admin)
    enterprise = await create_enterprise(client, admin)
    official = await create_person(client, admin, department_id=department["id"])
    staff = await create_person(client, admin, enterprise_id=enterprise["id"])
    response = await client.get(
        "/api/v1/people", params={"role": "enterprise_user", "limit": 200}, headers=admin
    )
    assert response.status_code == 200, response.text
    ids = {p["id"] for p in response.json()["items"]}
    assert staff["id"] in ids
    assert official["id"] not in ids
    admins = await client.get("/api/v1/people", params={"role": "admin"}, headers=admin)
    assert admins.status_code == 200, admins.text
    assert all("admin" in p["roles"] for p in admins.json()["items"])


# --- 4, 5, 7. PATCH null on a required field ------------------------------------------------


async def _campaign(client: AsyncClient, admin: Headers) -> dict[str, Any]:
    today = today_china()
    response = await client.post(
        "/api/v1/campaigns",
        json={
            "name": "安全生产大检查",
            "region_code": COUNTY,
            "sectors": ["hazchem"],
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=30)).isoformat(),
        },
        headers=admin,
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_patch_null_on_required_fields_is_422(client: AsyncClient, admin: Headers) -> None:
    campaign = await _campaign(client, admin)
    enterprise = await create_enterprise(client, admin)
    department = await create_department(client, admin)
    cases = [
        (f"/api/v1/campaigns/{campaign['id']}", field)
        for field in ("ends_on", "starts_on", "name", "sectors")
    ]
    cases += [
        (f"/api/v1/enterprises/{enterprise['id']}", field)
        for field in ("licences", "name", "kind", "region_code", "sectors")
    ]
    cases += [
        (f"/api/v1/departments/{department['id']}", field) for field in ("name", "kind", "sectors")
    ]
    rule = await client.post(
        "/api/v1/report-routing-rules",
        json={"region_prefix": COUNTY, "department_id": department["id"]},
        headers=admin,
    )
    assert rule.status_code == 201, rule.text
    cases += [
        (f"/api/v1/report-routing-rules/{rule.json()['id']}", field)
        for field in ("department_id", "priority", "active")
    ]
    for url, field in cases:
        response = await client.patch(url, json={field: None}, headers=admin)
        body = _problem(response, 422, "validation_failed")
        assert _field(body) == [["body", field]], (url, body)
    # nullable fields still clear, and nothing above changed a version
    cleared = await client.patch(
        f"/api/v1/enterprises/{enterprise['id']}",
        json={"licences": [], "address": None},
        headers=admin,
    )
    assert cleared.status_code == 200, cleared.text
    assert (cleared.json()["licences"], cleared.json()["address"]) == ([], None)
    again = await client.get(f"/api/v1/campaigns/{campaign['id']}", headers=admin)
    assert again.json()["version"] == campaign["version"]


async def test_patch_null_on_a_planned_visit_is_422(
    client: AsyncClient, admin: Headers, token: Callable[..., Headers]
) -> None:
    unit = await setup_unit(client, admin, token)
    visit = await plan_visit(client, unit["official"], unit["ent"]["id"])
    for field in ("planned_on", "participating_department_ids"):
        response = await client.patch(
            f"/api/v1/inspection-visits/{visit['id']}", json={field: None}, headers=unit["official"]
        )
        assert _field(_problem(response, 422, "validation_failed")) == [["body", field]]


# --- 6. webhook URL length ----------------------------------------------------------------


async def test_webhook_url_longer_than_its_column_is_422(
    client: AsyncClient, admin: Headers
) -> None:
    response = await client.post(
        "/api/v1/webhook-subscriptions",
        json={"url": "http://example.com/" + "a" * 10000},
        headers=admin,
    )
    body = _problem(response, 422, "validation_failed")
    assert body["errors"][0]["type"] == "url_too_long"
    assert body["errors"][0]["loc"] == ["body", "url"]


async def test_a_body_neither_json_nor_multipart_is_415(
    client: AsyncClient, admin: Headers
) -> None:
    for media in ("text/plain", "application/xml", "text/csv"):
        r = await client.post(
            "/api/v1/departments",
            content=b'{"name":"x","kind":"department","region_code":"330106"}',
            headers={**admin, "Content-Type": media},
        )
        body = _problem(r, 415, "unsupported_media_type")
        assert media in body["detail"]
    # JSON with a charset or a +json type, and bodiless actions, are unaffected
    ok = await client.post(
        "/api/v1/departments",
        content=b'{"name":"\xe5\xba\x94\xe6\x80\xa5\xe5\xb1\x80","kind":"department",'
        b'"region_code":"330106"}',
        headers={**admin, "Content-Type": "application/json; charset=utf-8"},
    )
    assert ok.status_code == 201, ok.text
    empty = await client.get("/api/v1/departments", headers={**admin, "Content-Type": "text/plain"})
    assert empty.status_code == 200


async def test_webhook_region_must_be_known(client: AsyncClient, admin: Headers) -> None:
    url = "https://receiver.example.gov.cn/hook"
    unknown = await client.post(
        "/api/v1/webhook-subscriptions",
        json={"url": url, "region_code": "999999999999"},
        headers=admin,
    )
    assert _problem(unknown, 422, "region_unknown")["errors"][0]["loc"] == ["body", "region_code"]
    made = await client.post(
        "/api/v1/webhook-subscriptions", json={"url": url, "region_code": COUNTY}, headers=admin
    )
    assert made.status_code == 201, made.text
    moved = await client.patch(
        f"/api/v1/webhook-subscriptions/{made.json()['id']}",
        json={"region_code": "999999"},
        headers={**admin, "If-Match": made.headers["etag"]},
    )
    _problem(moved, 422, "region_unknown")
