"""API keys through HTTP: shown once, hashed, scoped, read-only, revocable."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.config import Settings
from tests.api_keys.builders import create_api_key, key_header
from tests.factories import COUNTY, OTHER_TOWN, TOWN, create_enterprise, make_uscc

Token = Callable[..., dict[str, str]]


async def test_create_shown_once_and_stored_hashed(
    client: AsyncClient, admin: dict[str, str], connection: AsyncConnection
) -> None:
    response = await client.post(
        "/api/v1/api-keys",
        headers=admin,
        json={"name": "市应急指挥平台", "region_code": COUNTY, "sectors": ["hazchem"]},
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert re.fullmatch(r"ak_[0-9a-f]{12}_[0-9a-f]{48}", created["key"])
    assert created["prefix"] == created["key"].split("_")[1]
    assert created["read_only"] is True
    assert created["role"] == "system"
    assert response.headers["location"] == f"/api/v1/api-keys/{created['id']}"
    assert response.headers["cache-control"] == "no-store"
    stored = (
        await connection.execute(
            text("SELECT key_hash FROM api_key WHERE id = :id"), {"id": created["id"]}
        )
    ).scalar_one()
    assert stored == hashlib.sha256(created["key"].encode()).hexdigest()
    got = await client.get(f"/api/v1/api-keys/{created['id']}", headers=admin)
    assert got.status_code == 200
    assert "key" not in got.json()
    listed = await client.get("/api/v1/api-keys", headers=admin)
    assert [k["id"] for k in listed.json()["items"]] == [created["id"]]
    assert "key" not in listed.json()["items"][0]
    audit = (
        await connection.execute(
            text("SELECT changes::text FROM audit_event WHERE resource_id = :id"),
            {"id": created["id"]},
        )
    ).scalar_one()
    assert created["key"].split("_")[2] not in audit
    assert stored not in audit


async def test_only_admins_manage_keys(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    created = await create_api_key(client, admin)
    office = token("committee_office", region_code=COUNTY)
    assert (await client.get("/api/v1/api-keys", headers=office)).status_code == 403
    assert (
        await client.post("/api/v1/api-keys", json={"name": "x"}, headers=office)
    ).status_code == 403
    assert (
        await client.delete(f"/api/v1/api-keys/{created['id']}", headers=office)
    ).status_code == 403
    as_key = await client.get("/api/v1/api-keys", headers=key_header(created))
    assert as_key.status_code == 403


async def test_validation(client: AsyncClient, admin: dict[str, str]) -> None:
    cases = [
        ({"role": "admin"}, "api_key_role_not_allowed"),
        ({"role": "enterprise_user"}, "api_key_role_not_allowed"),
        ({"role": "committee_office"}, "api_key_region_required"),
        ({"region_code": "990000"}, "region_unknown"),
    ]
    for body, code in cases:
        response = await client.post("/api/v1/api-keys", json={"name": "x", **body}, headers=admin)
        assert response.status_code == 422, body
        assert response.json()["code"] == code
    extra = await client.post("/api/v1/api-keys", json={"name": "x", "key": "mine"}, headers=admin)
    assert extra.status_code == 422


async def test_read_only_key_is_refused_on_writes(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    created = await create_api_key(client, admin, read_only=True)
    headers = key_header(created)
    assert (await client.get("/api/v1/enterprises", headers=headers)).status_code == 200
    write = await client.post(
        "/api/v1/enterprises",
        headers=headers,
        json={"uscc": make_uscc(), "name": "x", "region_code": TOWN, "sectors": ["hazchem"]},
    )
    assert write.status_code == 403
    assert write.json()["code"] == "permission_denied"
    used = await client.get(f"/api/v1/api-keys/{created['id']}", headers=admin)
    assert used.json()["last_used_at"] is not None


async def test_scoped_read_write_key(client: AsyncClient, admin: dict[str, str]) -> None:
    created = await create_api_key(
        client, admin, read_only=False, region_code=COUNTY, sectors=["hazchem"]
    )
    headers = key_header(created)
    inside = await create_enterprise(client, admin)
    other_region = await create_enterprise(client, admin, region_code=OTHER_TOWN)
    other_sector = await create_enterprise(client, admin, sectors=["fire"])
    listed = {
        e["id"]
        for e in (await client.get("/api/v1/enterprises?limit=200", headers=headers)).json()[
            "items"
        ]
    }
    assert inside["id"] in listed
    assert not {other_region["id"], other_sector["id"]} & listed
    assert (
        await client.get(f"/api/v1/enterprises/{other_sector['id']}", headers=headers)
    ).status_code == 404
    body = {
        "uscc": make_uscc(),
        "name": "系统登记单位",
        "region_code": TOWN,
        "sectors": ["hazchem"],
    }
    assert (await client.post("/api/v1/enterprises", json=body, headers=headers)).status_code == 201
    outside = {**body, "uscc": make_uscc("330105"), "region_code": OTHER_TOWN}
    assert (
        await client.post("/api/v1/enterprises", json=outside, headers=headers)
    ).status_code == 404


async def test_revoked_key_is_401(client: AsyncClient, admin: dict[str, str]) -> None:
    created = await create_api_key(client, admin)
    headers = key_header(created)
    assert (await client.get("/api/v1/enterprises", headers=headers)).status_code == 200
    revoked = await client.delete(f"/api/v1/api-keys/{created['id']}", headers=admin)
    assert revoked.status_code == 204
    refused = await client.get("/api/v1/enterprises", headers=headers)
    assert refused.status_code == 401
    assert refused.json()["code"] == "invalid_api_key"
    assert refused.headers["www-authenticate"].startswith("ApiKey")
    assert (
        await client.delete(f"/api/v1/api-keys/{created['id']}", headers=admin)
    ).status_code == 204
    live = await client.get("/api/v1/api-keys", params={"revoked": "false"}, headers=admin)
    assert created["id"] not in {k["id"] for k in live.json()["items"]}
    gone = await client.get("/api/v1/api-keys", params={"revoked": "true"}, headers=admin)
    assert [k["id"] for k in gone.json()["items"]] == [created["id"]]


async def test_forged_keys_are_401(client: AsyncClient, admin: dict[str, str]) -> None:
    created = await create_api_key(client, admin)
    prefix = created["prefix"]
    for forged in (
        "nonsense",
        f"ak_{prefix}_{'0' * 48}",
        f"ak_{prefix}",
        "ak_x_y_z",
        created["key"] + "0",
    ):
        response = await client.get("/api/v1/enterprises", headers={"X-API-Key": forged})
        assert response.status_code == 401, forged


async def test_last_used_is_recorded_at_most_once_a_minute(
    client: AsyncClient, admin: dict[str, str], settings: Settings
) -> None:
    assert settings.api_key_touch_seconds == 60
    created = await create_api_key(client, admin)
    url = f"/api/v1/api-keys/{created['id']}"
    assert (await client.get(url, headers=admin)).json()["last_used_at"] is None
    await client.get("/api/v1/enterprises", headers=key_header(created))
    first = (await client.get(url, headers=admin)).json()["last_used_at"]
    assert first is not None
    await client.get("/api/v1/enterprises", headers=key_header(created))
    assert (await client.get(url, headers=admin)).json()["last_used_at"] == first


async def test_idempotent_retry_never_stores_or_replays_the_secret(
    client: AsyncClient, admin: dict[str, str], connection: AsyncConnection
) -> None:
    headers = {**admin, "Idempotency-Key": "k-1"}
    first = await client.post("/api/v1/api-keys", json={"name": "x"}, headers=headers)
    assert first.status_code == 201
    secret = first.json()["key"]
    retry = await client.post("/api/v1/api-keys", json={"name": "x"}, headers=headers)
    assert retry.status_code == 409
    assert retry.json()["code"] == "idempotency_not_replayable"
    assert secret not in retry.text
    count = await connection.execute(text("SELECT count(*) FROM api_key"))
    assert count.scalar_one() == 1
    stored = await connection.execute(
        text("SELECT count(*) FROM idempotency_record WHERE response_body IS NOT NULL")
    )
    assert stored.scalar_one() == 0
