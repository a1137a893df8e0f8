"""Contact phones on enterprises and hazards are personal data: masked for callers without
``personal_data:read``, and every unmasked read through a GET leaves an audit row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.factories import COUNTY, TOWN, create_enterprise
from tests.hazards.builders import hazard_body

Token = Callable[..., dict[str, str]]


async def _reads(connection: AsyncConnection, resource_id: str) -> list[dict[str, Any]]:
    result = await connection.execute(
        text(
            "SELECT actor_role, changes, region_code FROM audit_event "
            "WHERE resource_id = :rid AND action = 'personal_data_read' ORDER BY seq"
        ),
        {"rid": resource_id},
    )
    return [dict(r) for r in result.mappings()]


async def test_enterprise_contact_reads(
    client: AsyncClient, admin: dict[str, str], token: Token, connection: AsyncConnection
) -> None:
    ent = await create_enterprise(client, admin)  # main responsible person with a phone
    url = f"/api/v1/enterprises/{ent['id']}"
    owner = token("enterprise_user", enterprise_id=ent["id"])
    before = len(await _reads(connection, ent["id"]))  # the admin's own create response is a write

    masked = await client.get(url, headers=owner)
    assert masked.json()["main_responsible_person"]["phone"] == "138****5678"
    assert len(await _reads(connection, ent["id"])) == before

    inspector = token("inspector", region_code=TOWN)
    shown = await client.get(url, headers=inspector)
    assert shown.json()["main_responsible_person"]["phone"] == "13812345678"
    rows = await _reads(connection, ent["id"])
    assert len(rows) == before + 1
    assert rows[-1] == {
        "actor_role": "inspector",
        "changes": {"fields_read": ["main_responsible_person.phone", "safety_manager.phone"]},
        "region_code": TOWN,
    }
    page = await client.get(f"/api/v1/enterprises?region={TOWN}&limit=200", headers=inspector)
    assert ent["id"] in {e["id"] for e in page.json()["items"]}
    assert len(await _reads(connection, ent["id"])) == before + 2


async def test_hazard_responsible_phone_reads(
    client: AsyncClient, admin: dict[str, str], token: Token, connection: AsyncConnection
) -> None:
    ent = await create_enterprise(client, admin)
    body = hazard_body(ent["id"], responsible_person={"name": "李四", "phone": "13900001111"})
    created = await client.post("/api/v1/hazards", json=body, headers=admin)
    assert created.status_code == 201, created.text
    hz = created.json()
    quiet = await client.post("/api/v1/hazards", json=hazard_body(ent["id"]), headers=admin)
    assert quiet.status_code == 201
    owner = token("enterprise_user", enterprise_id=ent["id"])
    masked = await client.get(f"/api/v1/hazards/{hz['id']}", headers=owner)
    assert masked.json()["responsible_person"]["phone"] == "139****1111"
    assert await _reads(connection, hz["id"]) == []

    office = token("committee_office", region_code=COUNTY)
    shown = await client.get(f"/api/v1/hazards/{hz['id']}", headers=office)
    assert shown.status_code == 200
    assert shown.json()["responsible_person"]["phone"] == "13900001111"
    assert await _reads(connection, hz["id"]) == [
        {
            "actor_role": "committee_office",
            "changes": {"fields_read": ["responsible_person.phone"]},
            "region_code": TOWN,
        }
    ]
    listed = await client.get(
        "/api/v1/hazards", params={"enterprise_id": ent["id"]}, headers=office
    )
    assert {h["id"] for h in listed.json()["items"]} == {hz["id"], quiet.json()["id"]}
    nearby = await client.get(
        "/api/v1/hazards/nearby",
        params={"lat": 30.259, "lon": 120.13, "radius_m": 100},
        headers=office,
    )
    assert hz["id"] in {h["id"] for h in nearby.json()["items"]}
    assert len(await _reads(connection, hz["id"])) == 3
    assert await _reads(connection, quiet.json()["id"]) == []  # no phone, nothing to audit


async def test_exports_with_unmasked_phones_are_one_audited_read(
    client: AsyncClient, admin: dict[str, str], token: Token, connection: AsyncConnection
) -> None:
    ent = await create_enterprise(client, admin)
    owner = token("enterprise_user", enterprise_id=ent["id"])
    r = await client.get("/api/v1/enterprises/export?format=csv", headers=owner)
    assert r.status_code == 200
    assert "138****5678" in r.text
    assert await _reads(connection, "export") == []

    office = token("committee_office", region_code=COUNTY)
    r = await client.get(
        f"/api/v1/hazards/export?format=csv&region={COUNTY}&status=reported", headers=office
    )
    assert r.status_code == 200
    r = await client.get(f"/api/v1/enterprises/export?format=csv&region={TOWN}", headers=office)
    assert r.status_code == 200
    assert "13812345678" in r.text
    rows = await _reads(connection, "export")
    assert [row["changes"]["fields_read"] for row in rows] == [
        ["responsible_person.phone"],
        ["legal_representative.phone", "main_responsible_person.phone", "safety_manager.phone"],
    ]
    assert rows[0]["changes"]["filters"]["status"] == ["reported"]
    assert rows[1]["region_code"] == TOWN
