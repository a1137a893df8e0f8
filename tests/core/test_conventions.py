"""The API conventions every resource gets from app/core, tested through HTTP."""

from __future__ import annotations

import uuid
from typing import Any

from httpx import AsyncClient

from tests.factories import COUNTY, TOWN, create_enterprise, make_uscc

PROBLEM = "application/problem+json"


def _is_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["request_id"] == response.headers["x-request-id"]
    if code:
        assert body["code"] == code
    return body


async def test_problem_bodies(client: AsyncClient, admin: dict[str, str]) -> None:
    _is_problem(
        await client.post(
            "/api/v1/enterprises",
            content=b"{not json",
            headers={**admin, "Content-Type": "application/json"},
        ),
        400,
        "malformed_json",
    )
    _is_problem(await client.get("/api/v1/nowhere", headers=admin), 404, "route_not_found")
    _is_problem(
        await client.put("/api/v1/enterprises", json={}, headers=admin), 405, "method_not_allowed"
    )
    _is_problem(
        await client.post(
            "/api/v1/enterprises",
            content=b"x" * (65 * 1024),
            headers={**admin, "Content-Type": "application/json"},
        ),
        413,
        "payload_too_large",
    )
    body = _is_problem(
        await client.post("/api/v1/enterprises", json={"name": ""}, headers=admin),
        422,
        "validation_failed",
    )
    assert any(e["loc"][-1] == "uscc" for e in body["errors"])
    _is_problem(
        await client.get(f"/api/v1/enterprises/{uuid.uuid4()}", headers=admin),
        404,
        "enterprise_not_found",
    )
    _is_problem(await client.get("/api/v1/enterprises"), 401, "unauthenticated")


async def test_language_negotiation(client: AsyncClient, admin: dict[str, str]) -> None:
    url = f"/api/v1/enterprises/{uuid.uuid4()}"
    zh = await client.get(url, headers={**admin, "Accept-Language": "zh-CN,zh;q=0.9"})
    assert zh.json()["title"] == "资源不存在"
    assert zh.headers["content-language"] == "zh-CN"
    en = await client.get(url, headers={**admin, "Accept-Language": "en-US"})
    assert en.json()["title"] == "Not found"


async def test_request_id_is_echoed(client: AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "trace-123"})
    assert response.headers["x-request-id"] == "trace-123"
    made = await client.get("/healthz")
    assert len(made.headers["x-request-id"]) == 36


async def test_idempotent_replay_and_reuse(client: AsyncClient, admin: dict[str, str]) -> None:
    body = {
        "uscc": make_uscc(COUNTY),
        "name": "幂等测试公司",
        "region_code": TOWN,
        "sectors": ["fire"],
    }
    headers = {**admin, "Idempotency-Key": "create-ent-1"}
    first = await client.post("/api/v1/enterprises", json=body, headers=headers)
    assert first.status_code == 201
    replay = await client.post("/api/v1/enterprises", json=body, headers=headers)
    assert replay.status_code == 201
    assert replay.json() == first.json()
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.headers["location"] == first.headers["location"]
    listed = await client.get("/api/v1/enterprises", params={"q": "幂等测试"}, headers=admin)
    assert len(listed.json()["items"]) == 1
    other = await client.post(
        "/api/v1/enterprises", json={**body, "name": "另一家"}, headers=headers
    )
    _is_problem(other, 422, "idempotency_key_reused")


async def test_idempotency_in_flight_is_409(
    client: AsyncClient, admin: dict[str, str], connection: Any
) -> None:
    from sqlalchemy import update

    from app.core.idempotency import _caller
    from app.models.core import IdempotencyRecord

    body = {"name": "x", "kind": "department", "region_code": COUNTY}
    headers = {**admin, "Idempotency-Key": "in-flight-1"}
    first = await client.post("/api/v1/departments", json=body, headers=headers)
    assert first.status_code == 201
    # Simulate a first attempt that is still running: response not stored, claim not expired.
    from datetime import timedelta

    from app.core.clock import utcnow

    await connection.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.caller == _caller({"authorization": admin["Authorization"]}))
        .values(response_status=None, locked_until=utcnow() + timedelta(minutes=1))
    )
    again = await client.post("/api/v1/departments", json=body, headers=headers)
    _is_problem(again, 409, "idempotency_in_flight")


async def test_client_supplied_id(client: AsyncClient, admin: dict[str, str]) -> None:
    chosen = str(uuid.uuid4())
    body = {
        "id": chosen,
        "uscc": make_uscc(COUNTY),
        "name": "离线创建公司",
        "region_code": TOWN,
        "sectors": ["gas"],
    }
    first = await client.post("/api/v1/enterprises", json=body, headers=admin)
    assert first.status_code == 201
    assert first.json()["id"] == chosen
    repeat = await client.post("/api/v1/enterprises", json=body, headers=admin)
    assert repeat.status_code == 200
    assert repeat.json()["id"] == chosen
    clash = await client.post(
        "/api/v1/enterprises", json={**body, "name": "别的名字"}, headers=admin
    )
    _is_problem(clash, 409, "id_conflict")


async def test_health_and_readiness(client: AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok", "detail": None}
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text


async def test_docs_are_self_hosted(client: AsyncClient) -> None:
    import re

    for page in ("/docs", "/redoc"):
        html = (await client.get(page)).text
        hosts = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", html)
        assert hosts == [], hosts
        assets = re.findall(r"""(?:src|href)=["'](/docs-assets/[^"']+)""", html)
        assert assets
        for asset in assets:
            assert (await client.get(asset)).status_code == 200
        assert "fonts.googleapis" not in html
    swagger = (await client.get("/docs")).text
    assert '"validatorUrl": null' in swagger  # no call to validator.swagger.io
    redoc = (await client.get("/redoc")).text
    script = re.findall(r"""<script src=["'](/[^"']+)""", redoc)
    assert script == ["/docs-local/redoc.standalone.js"]
    bundle = await client.get(script[0])
    assert bundle.status_code == 200
    assert b"cdn.redoc.ly" not in bundle.content  # its sidebar logo, served locally instead


async def test_sync_cursor_expiry_is_410(
    client: AsyncClient, admin: dict[str, str], settings: Any
) -> None:
    import time

    from app.core.cursors import encode_cursor

    old = encode_cursor(
        settings.cursor_secret,
        "sync:enterprise",
        {"x": 1, "s": 1, "t": int(time.time()) - 400 * 86400},
    )
    _is_problem(
        await client.get("/api/v1/enterprises", params={"changed_since": old}, headers=admin),
        410,
        "sync_cursor_expired",
    )
    foreign = encode_cursor(
        settings.cursor_secret, "sync:department", {"x": 1, "s": 1, "t": int(time.time())}
    )
    _is_problem(
        await client.get("/api/v1/enterprises", params={"changed_since": foreign}, headers=admin),
        400,
        "invalid_cursor",
    )


async def test_cursor_of_another_query_is_rejected(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    for _ in range(3):
        await create_enterprise(client, admin)
    page = (await client.get("/api/v1/enterprises", params={"limit": 1}, headers=admin)).json()
    assert page["next_cursor"]
    moved = await client.get(
        "/api/v1/enterprises",
        params={"limit": 1, "sort": "-name", "cursor": page["next_cursor"]},
        headers=admin,
    )
    _is_problem(moved, 400, "invalid_cursor")


async def test_one_json_access_log_line(
    client: AsyncClient, admin: dict[str, str], caplog: Any
) -> None:
    import json
    import logging

    from app.core.logs import JsonFormatter

    with caplog.at_level(logging.INFO, logger="anjian.access"):
        await client.get(
            f"/api/v1/enterprises/{uuid.uuid4()}", headers={**admin, "X-Request-ID": "log-1"}
        )
    formatter = JsonFormatter()
    lines = [json.loads(formatter.format(r)) for r in caplog.records if r.name == "anjian.access"]
    assert lines == [
        {
            "time": lines[0]["time"],
            "level": "info",
            "logger": "anjian.access",
            "event": "request",
            "message": "GET /api/v1/enterprises/{enterprise_id} 404",
            "method": "GET",
            "route": "/api/v1/enterprises/{enterprise_id}",
            "status": 404,
            "duration_ms": lines[0]["duration_ms"],
            "request_id": "log-1",
        }
    ]
    assert lines[0]["time"].endswith("+00:00")
