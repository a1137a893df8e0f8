"""People through HTTP: kinds, scope, phone masking and its audit, subjects and roles."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.factories import (
    COUNTY,
    OTHER_COUNTY,
    OTHER_TOWN,
    TOWN,
    create_department,
    create_enterprise,
)
from tests.people.builders import create_person

Token = Callable[..., dict[str, str]]


async def _audit_rows(
    connection: AsyncConnection, resource_id: str, action: str | None = None
) -> list[dict[str, Any]]:
    sql = "SELECT * FROM audit_event WHERE resource_id = :rid"
    if action:
        sql += " AND action = :action"
    result = await connection.execute(
        text(sql + " ORDER BY seq"), {"rid": resource_id, "action": action}
    )
    return [dict(r) for r in result.mappings()]


async def test_create_read_list(client: AsyncClient, admin: dict[str, str]) -> None:
    dept = await create_department(client, admin)
    created = await client.post(
        "/api/v1/people",
        headers=admin,
        json={
            "name": "王五",
            "kind": "inspector",
            "certificate_number": "33010600123",
            "department_id": dept["id"],
            "roles": ["inspector"],
            "phone": "13812345678",
            "subject": "idp|wangwu",
        },
    )
    assert created.status_code == 201, created.text
    person = created.json()
    assert created.headers["location"] == f"/api/v1/people/{person['id']}"
    assert created.headers["etag"] == '"1"'
    assert person["region_code"] == COUNTY
    assert person["active"] is True
    got = await client.get(f"/api/v1/people/{person['id']}", headers=admin)
    assert got.status_code == 200
    assert got.json()["phone"] == "13812345678"
    listed = await client.get(
        "/api/v1/people", params={"q": "王", "kind": "inspector"}, headers=admin
    )
    assert [p["id"] for p in listed.json()["items"]] == [person["id"]]
    unknown = await client.get("/api/v1/people", params={"colour": "red"}, headers=admin)
    assert unknown.status_code == 422
    anonymous = await client.get("/api/v1/people")
    assert anonymous.status_code == 401
    assert "www-authenticate" in anonymous.headers


async def test_kind_rules(client: AsyncClient, admin: dict[str, str]) -> None:
    dept = await create_department(client, admin)
    ent = await create_enterprise(client, admin)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "inspector", "department_id": dept["id"]}, "person_certificate_required"),
        ({"kind": "enterprise_staff", "enterprise_id": ent["id"]}, "person_position_required"),
        ({"kind": "enterprise_staff", "position": "other"}, "person_enterprise_required"),
        (
            {
                "kind": "enterprise_staff",
                "position": "other",
                "enterprise_id": ent["id"],
                "department_id": dept["id"],
            },
            "person_unit_conflict",
        ),
        (
            {"kind": "official", "department_id": dept["id"], "position": "other"},
            "person_position_not_allowed",
        ),
        ({"kind": "official"}, "person_department_required"),
        (
            {"kind": "official", "department_id": dept["id"], "roles": ["system"]},
            "person_role_not_allowed",
        ),
        (
            {
                "kind": "enterprise_staff",
                "position": "other",
                "enterprise_id": ent["id"],
                "roles": ["inspector"],
            },
            "person_role_not_allowed",
        ),
    ]
    for body, code in cases:
        response = await client.post("/api/v1/people", json={"name": "x", **body}, headers=admin)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["code"] == code, body
    expert = await client.post(
        "/api/v1/people",
        headers=admin,
        json={"name": "专家甲", "kind": "expert", "region_code": COUNTY, "roles": ["expert"]},
    )
    assert expert.status_code == 201, expert.text
    assert expert.json()["department_id"] is None
    assert expert.json()["region_code"] == COUNTY
    staff = await create_person(
        client, admin, enterprise_id=ent["id"], position="main_responsible_person"
    )
    assert staff["region_code"] == TOWN
    assert staff["position"] == "main_responsible_person"
    missing = await client.post(
        "/api/v1/people",
        headers=admin,
        json={"name": "x", "kind": "official", "department_id": str(uuid.uuid4())},
    )
    assert missing.status_code == 422
    assert missing.json()["code"] == "reference_not_found"


async def test_phone_masking_and_unmasked_reads_are_audited(
    client: AsyncClient, admin: dict[str, str], token: Token, connection: AsyncConnection
) -> None:
    ent = await create_enterprise(client, admin)
    staff = await create_person(client, admin, enterprise_id=ent["id"], phone="13812345678")
    url = f"/api/v1/people/{staff['id']}"
    owner = token("enterprise_user", enterprise_id=ent["id"])
    masked = await client.get(url, headers=owner)
    assert masked.status_code == 200
    assert masked.json()["phone"] == "138****5678"
    listed = await client.get("/api/v1/people", headers=owner)
    assert [p["phone"] for p in listed.json()["items"]] == ["138****5678"]
    assert await _audit_rows(connection, staff["id"], "personal_data_read") == []

    inspector = token("inspector", region_code=TOWN)
    plain = await client.get(url, headers=inspector)
    assert plain.json()["phone"] == "13812345678"
    rows = await _audit_rows(connection, staff["id"], "personal_data_read")
    assert len(rows) == 1
    assert rows[0]["actor_role"] == "inspector"
    assert rows[0]["changes"] == {"fields_read": ["phone"]}
    assert rows[0]["region_code"] == TOWN
    page = await client.get("/api/v1/people", headers=inspector)
    assert [p["phone"] for p in page.json()["items"]] == ["13812345678"]
    assert len(await _audit_rows(connection, staff["id"], "personal_data_read")) == 2


async def test_scope(client: AsyncClient, admin: dict[str, str], token: Token) -> None:
    dept = await create_department(client, admin)
    other_dept = await create_department(client, admin, region_code=OTHER_COUNTY)
    ent = await create_enterprise(client, admin)
    other_ent = await create_enterprise(client, admin, region_code=OTHER_TOWN)
    official = await create_person(client, admin, department_id=dept["id"])
    foreign_official = await create_person(client, admin, department_id=other_dept["id"])
    staff = await create_person(client, admin, enterprise_id=ent["id"])
    foreign_staff = await create_person(client, admin, enterprise_id=other_ent["id"])
    ours, theirs = {official["id"], staff["id"]}, {foreign_official["id"], foreign_staff["id"]}

    office = token("committee_office", region_code=COUNTY)
    listed = {
        p["id"]
        for p in (await client.get("/api/v1/people?limit=200", headers=office)).json()["items"]
    }
    assert ours <= listed
    assert not theirs & listed
    for person_id in theirs:
        assert (await client.get(f"/api/v1/people/{person_id}", headers=office)).status_code == 404
    owner = token("enterprise_user", enterprise_id=ent["id"])
    seen = {p["id"] for p in (await client.get("/api/v1/people", headers=owner)).json()["items"]}
    assert seen == {staff["id"]}
    assert (await client.get(f"/api/v1/people/{official['id']}", headers=owner)).status_code == 404
    # A department official of a sector the enterprise is not in does not see its staff.
    fire = await create_department(client, admin, sectors=["fire"])
    fire_official = token("department_official", department_id=fire["id"])
    assert (
        await client.get(f"/api/v1/people/{staff['id']}", headers=fire_official)
    ).status_code == 404
    assert (
        await client.get(f"/api/v1/people/{official['id']}", headers=fire_official)
    ).status_code == 200
    # Creating a person in a unit outside one's scope is refused as not found.
    outside = await client.post(
        "/api/v1/people",
        headers=office,
        json={"name": "x", "kind": "official", "department_id": other_dept["id"]},
    )
    assert outside.status_code == 422  # the same answer as for an unknown department
    assert outside.json()["code"] == "reference_not_found"
    assert outside.json()["errors"][0]["loc"] == ["body", "department_id"]


async def test_update_delete_and_sync(client: AsyncClient, admin: dict[str, str]) -> None:
    dept = await create_department(client, admin)
    first = await client.get("/api/v1/people", params={"changed_since": "0"}, headers=admin)
    cursor = first.json()["next_cursor"]
    person = await create_person(client, admin, department_id=dept["id"])
    url = f"/api/v1/people/{person['id']}"
    patched = await client.patch(
        url, json={"name": "新名字", "phone": None}, headers={**admin, "If-Match": '"1"'}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["version"] == 2
    assert patched.json()["phone"] is None
    stale = await client.patch(url, json={"name": "x"}, headers={**admin, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert (await client.patch(url, json={"active": False}, headers=admin)).status_code == 422
    assert (await client.patch(url, json={"name": None}, headers=admin)).status_code == 422
    deleted = await client.delete(url, headers=admin)
    assert deleted.status_code == 204
    assert (await client.get(url, headers=admin)).status_code == 404
    delta = await client.get("/api/v1/people", params={"changed_since": cursor}, headers=admin)
    tombstones = [p for p in delta.json()["items"] if p["id"] == person["id"]]
    assert len(tombstones) == 1
    assert tombstones[0]["deleted_at"] is not None


async def test_client_id_repeat(client: AsyncClient, admin: dict[str, str]) -> None:
    dept = await create_department(client, admin)
    body = {
        "id": str(uuid.uuid4()),
        "name": "赵六",
        "kind": "official",
        "department_id": dept["id"],
    }
    assert (await client.post("/api/v1/people", json=body, headers=admin)).status_code == 201
    again = await client.post("/api/v1/people", json=body, headers=admin)
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    other = await client.post("/api/v1/people", json={**body, "name": "钱七"}, headers=admin)
    assert other.status_code == 409
    assert other.json()["code"] == "id_conflict"


async def test_subject_roles_and_activation(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    dept = await create_department(client, admin)
    person = await create_person(
        client,
        admin,
        department_id=dept["id"],
        subject="idp|zhang",
        roles=["department_official", "inspector"],
    )
    url = f"/api/v1/people/{person['id']}"
    as_person = token("inspector", sub="idp|zhang", department_id=dept["id"])
    assert (await client.get("/api/v1/departments", headers=as_person)).status_code == 200
    escalated = await client.get("/api/v1/departments", headers=token("admin", sub="idp|zhang"))
    assert escalated.status_code == 401
    assert escalated.json()["code"] == "role_not_granted"
    taken = await client.post(
        "/api/v1/people",
        headers=admin,
        json={"name": "x", "kind": "official", "department_id": dept["id"], "subject": "idp|zhang"},
    )
    assert taken.status_code == 409
    assert taken.json()["code"] == "person_subject_taken"

    off = await client.post(f"{url}/deactivate", json={"reason": "调离"}, headers=admin)
    assert off.status_code == 200
    assert off.json()["active"] is False
    refused = await client.get("/api/v1/departments", headers=as_person)
    assert refused.status_code == 401
    assert refused.json()["code"] == "account_inactive"
    twice = await client.post(f"{url}/deactivate", json={"reason": "x"}, headers=admin)
    assert twice.status_code == 409
    assert twice.json()["code"] == "person_already_inactive"
    on = await client.post(f"{url}/activate", json={"reason": "返岗"}, headers=admin)
    assert on.status_code == 200
    assert on.json()["active"] is True
    assert (await client.delete(url, headers=admin)).status_code == 204
    reused = await client.post(
        "/api/v1/people",
        headers=admin,
        json={"name": "x", "kind": "official", "department_id": dept["id"], "subject": "idp|zhang"},
    )
    assert reused.status_code == 201, reused.text


async def test_admin_role_is_granted_by_admins_only(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    dept = await create_department(client, admin)
    office = token("committee_office", region_code=COUNTY)
    grant = await client.post(
        "/api/v1/people",
        headers=office,
        json={"name": "x", "kind": "official", "department_id": dept["id"], "roles": ["admin"]},
    )
    assert grant.status_code == 403
    assert grant.json()["code"] == "role_grant_denied"
    boss = await create_person(
        client, admin, department_id=dept["id"], roles=["admin"], subject="idp|boss"
    )
    hijack = await client.patch(
        f"/api/v1/people/{boss['id']}", json={"subject": "idp|me"}, headers=office
    )
    assert hijack.status_code == 403
    assert hijack.json()["code"] == "person_admin_protected"
    mine = await create_person(client, office, department_id=dept["id"])
    promote = await client.patch(
        f"/api/v1/people/{mine['id']}", json={"roles": ["admin"]}, headers=office
    )
    assert promote.status_code == 403
    ok = await client.patch(
        f"/api/v1/people/{mine['id']}", json={"roles": ["inspector"]}, headers=office
    )
    assert ok.status_code == 200
    assert ok.json()["roles"] == ["inspector"]


async def test_enums_are_labelled(client: AsyncClient, admin: dict[str, str]) -> None:
    enums = (await client.get("/api/v1/reference/enums", headers=admin)).json()["enums"]
    assert {v["value"] for v in enums["person_kind"]} == {
        "official",
        "inspector",
        "enterprise_staff",
        "expert",
    }
    positions = {v["value"]: v["label_zh"] for v in enums["staff_position"]}
    assert positions["main_responsible_person"] == "主要负责人"
    assert "committee_office" in {v["value"] for v in enums["role"]}
