"""The audit trail: append-only in the database, read through GET /api/v1/audit-events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.factories import COUNTY, OTHER_COUNTY, OTHER_TOWN, create_department, create_enterprise
from tests.people.builders import create_person

Token = Callable[..., dict[str, str]]
URL = "/api/v1/audit-events"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET action = 'forged'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
    ],
)
async def test_trigger_refuses_update_delete_truncate(
    client: AsyncClient, admin: dict[str, str], connection: AsyncConnection, statement: str
) -> None:
    await create_department(client, admin)
    count = (await connection.execute(text("SELECT count(*) FROM audit_event"))).scalar_one()
    assert count >= 1
    savepoint = await connection.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        await connection.execute(text(statement))
    await savepoint.rollback()
    after = (await connection.execute(text("SELECT count(*) FROM audit_event"))).scalar_one()
    assert after == count


async def test_filters_and_fields(client: AsyncClient, admin: dict[str, str], token: Token) -> None:
    dept = await create_department(client, admin)
    renamed = await client.patch(
        f"/api/v1/departments/{dept['id']}",
        json={"name": "新局"},
        headers={**admin, "X-Request-ID": "req-audit-1"},
    )
    assert renamed.status_code == 200
    office = token("committee_office", region_code=COUNTY, sub="office-1")
    await create_department(client, office)
    by_resource = await client.get(
        URL, params={"resource_type": "department", "resource_id": dept["id"]}, headers=admin
    )
    assert by_resource.status_code == 200
    items = by_resource.json()["items"]
    assert [e["action"] for e in items] == ["update", "create"]  # newest first
    assert items[0]["request_id"] == "req-audit-1"
    assert items[0]["changes"]["name"]["new"] == "新局"
    assert items[0]["actor_subject"] == "test-admin"
    assert items[0]["region_code"] == COUNTY
    by_actor = await client.get(URL, params={"actor": "office-1"}, headers=admin)
    assert [e["actor_role"] for e in by_actor.json()["items"]] == ["committee_office"]
    by_action = await client.get(
        URL, params={"action": ["update"], "resource_type": "department"}, headers=admin
    )
    assert {e["action"] for e in by_action.json()["items"]} == {"update"}
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert (await client.get(URL, params={"from": future}, headers=admin)).json()["items"] == []
    assert (await client.get(URL, params={"to": past}, headers=admin)).json()["items"] == []
    window = await client.get(
        URL, params={"from": past, "to": future, "resource_id": dept["id"]}, headers=admin
    )
    assert len(window.json()["items"]) == 2
    naive = await client.get(URL, params={"from": "2026-01-01T00:00:00"}, headers=admin)
    assert naive.status_code == 422
    unknown = await client.get(URL, params={"colour": "red"}, headers=admin)
    assert unknown.status_code == 422


async def test_cursor_pagination(client: AsyncClient, admin: dict[str, str]) -> None:
    for _ in range(5):
        await create_department(client, admin, region_code=OTHER_COUNTY)
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"resource_type": "department", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get(URL, params=params, headers=admin)).json()
        seen += [e["seq"] for e in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(seen, reverse=True)
    assert len(seen) == len(set(seen)) >= 5
    assert pages >= 3
    first = (
        await client.get(URL, params={"resource_type": "department", "limit": 2}, headers=admin)
    ).json()
    foreign = await client.get(
        URL,
        params={"resource_type": "person", "limit": 2, "cursor": first["next_cursor"]},
        headers=admin,
    )
    assert foreign.status_code == 400
    assert foreign.json()["code"] == "invalid_cursor"
    forged = await client.get(URL, params={"cursor": "bm9wZQ"}, headers=admin)
    assert forged.status_code == 400


async def test_who_may_read(client: AsyncClient, admin: dict[str, str], token: Token) -> None:
    ours = await create_enterprise(client, admin)
    theirs = await create_enterprise(client, admin, region_code=OTHER_TOWN)
    office = token("committee_office", region_code=COUNTY)
    listed = await client.get(
        URL, params={"resource_type": "enterprise", "limit": 200}, headers=office
    )
    assert listed.status_code == 200
    ids = {e["resource_id"] for e in listed.json()["items"]}
    assert ours["id"] in ids
    assert theirs["id"] not in ids
    for role, claims in [
        ("department_official", {"region_code": COUNTY}),
        ("town_official", {"region_code": COUNTY}),
        ("inspector", {"region_code": COUNTY}),
        ("enterprise_user", {"enterprise_id": ours["id"]}),
        ("expert", {}),
    ]:
        response = await client.get(URL, headers=token(role, **claims))
        assert response.status_code == 403, role
    assert (await client.get(URL)).status_code == 401


async def test_actor_is_the_person_behind_the_token(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    dept = await create_department(client, admin)
    person = await create_person(
        client, admin, department_id=dept["id"], roles=["committee_office"], subject="idp|office"
    )
    office = token("committee_office", sub="idp|office", region_code=COUNTY)
    created = await create_department(client, office)
    trail = await client.get(URL, params={"resource_id": created["id"]}, headers=admin)
    event = trail.json()["items"][0]
    assert event["actor_person_id"] == person["id"]
    assert event["actor_subject"] == "idp|office"
