"""Assignments through HTTP: kinds and fit, seats (uniqueness and overlap), end and hand-over,
history, scope by role."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.clock import utcnow
from tests.factories import (
    COUNTY,
    OTHER_COUNTY,
    OTHER_TOWN,
    TOWN,
    create_department,
    create_enterprise,
)
from tests.responsibility.builders import URL, assign, official, post_assignment, source, staff

Token = Callable[..., dict[str, str]]


async def _world(client: AsyncClient, admin: dict[str, str]) -> dict[str, Any]:
    dept = await create_department(client, admin, sectors=["hazchem"])
    town = await create_department(
        client, admin, name="北山街道办事处", kind="town_government", region_code=TOWN, sectors=[]
    )
    ent = await create_enterprise(client, admin)
    return {
        "dept": dept,
        "town": town,
        "ent": ent,
        "leader": await official(client, admin, dept["id"]),
        "boss": await staff(client, admin, ent["id"], "张总"),
        "boss2": await staff(client, admin, ent["id"], "李总"),
    }


async def test_create_read_list_with_audit_and_event(
    client: AsyncClient, admin: dict[str, str], connection: AsyncConnection
) -> None:
    w = await _world(client, admin)
    created = await post_assignment(
        client,
        admin,
        "enterprise_main_responsible",
        holder_person_id=w["boss"]["id"],
        object_type="enterprise",
        object_enterprise_id=w["ent"]["id"],
        duties="全面负责本单位安全生产工作",
        appointing_unit="董事会",
        document_number="董字〔2026〕1号",
        public_display=True,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"] == f"{URL}/{body['id']}"
    assert created.headers["etag"] == '"1"'
    assert body["holder_name"] == "张总"
    assert body["object_name"] == w["ent"]["name"]
    assert body["current"] is True
    assert body["valid_to"] is None
    assert body["enterprise_id"] == w["ent"]["id"]
    assert body["region_code"] == TOWN
    got = await client.get(f"{URL}/{body['id']}", headers=admin)
    assert got.status_code == 200
    assert got.json() == body
    listed = await client.get(URL, headers=admin, params={"enterprise_id": w["ent"]["id"]})
    assert [a["id"] for a in listed.json()["items"]] == [body["id"]]
    shown = await client.get(
        URL, headers=admin, params={"enterprise_id": w["ent"]["id"], "public_display": "true"}
    )
    assert [a["id"] for a in shown.json()["items"]] == [body["id"]]
    hidden = await client.get(
        URL, headers=admin, params={"enterprise_id": w["ent"]["id"], "public_display": "false"}
    )
    assert hidden.json()["items"] == []
    audit = (
        await connection.execute(
            text("SELECT action FROM audit_event WHERE resource_id = :id"), {"id": body["id"]}
        )
    ).all()
    assert [a[0] for a in audit] == ["create"]
    events = (
        await connection.execute(
            text("SELECT type FROM outbox_event WHERE subject = :s"),
            {"s": f"responsibility_assignment/{body['id']}"},
        )
    ).all()
    assert [e[0] for e in events] == ["gov.anjian.responsibility_assignment.created"]
    # a repeated create with the same client id and body is the same resource
    again_body = {
        "id": body["id"],
        "kind": "enterprise_main_responsible",
        "holder_person_id": w["boss"]["id"],
        "object_type": "enterprise",
        "object_enterprise_id": w["ent"]["id"],
    }
    again = await client.post(URL, json=again_body, headers=admin)
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    clash = await client.post(
        URL, json={**again_body, "holder_person_id": w["boss2"]["id"]}, headers=admin
    )
    assert clash.status_code == 409
    assert clash.json()["code"] == "id_conflict"


async def test_one_main_responsible_per_enterprise(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    w = await _world(client, admin)
    now = utcnow()
    obj = {"object_type": "enterprise", "object_enterprise_id": w["ent"]["id"]}
    await assign(
        client,
        admin,
        "enterprise_main_responsible",
        holder_person_id=w["boss"]["id"],
        valid_from=now - timedelta(days=10),
        **obj,
    )
    second = await post_assignment(
        client, admin, "enterprise_main_responsible", holder_person_id=w["boss2"]["id"], **obj
    )
    assert second.status_code == 409, second.text
    assert second.json()["code"] == "responsibility_seat_taken"
    # an earlier, closed period that does not overlap is history and fits
    earlier = await post_assignment(
        client,
        admin,
        "enterprise_main_responsible",
        holder_person_id=w["boss2"]["id"],
        valid_from=now - timedelta(days=400),
        valid_to=now - timedelta(days=10),
        **obj,
    )
    assert earlier.status_code == 201, earlier.text
    overlapping = await post_assignment(
        client,
        admin,
        "enterprise_main_responsible",
        holder_person_id=w["boss2"]["id"],
        valid_from=now - timedelta(days=500),
        valid_to=now - timedelta(days=300),
        **obj,
    )
    assert overlapping.json()["code"] == "responsibility_seat_taken"
    # safety managers: several at once, but not the same person twice
    await assign(
        client, admin, "enterprise_safety_manager", holder_person_id=w["boss"]["id"], **obj
    )
    await assign(
        client, admin, "enterprise_safety_manager", holder_person_id=w["boss2"]["id"], **obj
    )
    twice = await post_assignment(
        client, admin, "enterprise_safety_manager", holder_person_id=w["boss"]["id"], **obj
    )
    assert twice.status_code == 409
    assert twice.json()["code"] == "responsibility_seat_taken"


async def test_kind_fit(client: AsyncClient, admin: dict[str, str]) -> None:
    w = await _world(client, admin)
    ent = {"object_type": "enterprise", "object_enterprise_id": w["ent"]["id"]}
    cases: list[tuple[str, dict[str, Any], str]] = [
        (
            "leader_liaison",
            {"holder_department_id": w["dept"]["id"], **ent},
            "responsibility_kind_mismatch",
        ),
        (
            "hazard_rectification",
            {"holder_person_id": w["boss"]["id"], **ent},
            "responsibility_kind_mismatch",
        ),
        (
            "enterprise_main_responsible",
            {"holder_person_id": w["leader"]["id"], **ent},
            "responsibility_holder_mismatch",
        ),
        (
            "leader_liaison",
            {"holder_person_id": w["boss"]["id"], **ent},
            "responsibility_holder_mismatch",
        ),
        (
            "territorial",
            {
                "holder_department_id": w["dept"]["id"],
                "object_type": "region",
                "object_region_code": TOWN,
            },
            "responsibility_holder_mismatch",
        ),
        (
            "departmental_supervision",
            {
                "holder_department_id": w["dept"]["id"],
                "object_type": "sector_region",
                "object_sector": "fire",
                "object_region_code": COUNTY,
            },
            "responsibility_holder_mismatch",
        ),
        (
            "departmental_supervision",
            {
                "holder_department_id": w["dept"]["id"],
                "object_type": "sector_region",
                "object_sector": "hazchem",
                "object_region_code": OTHER_COUNTY,
            },
            "responsibility_holder_mismatch",
        ),
        (
            "enterprise_main_responsible",
            {"holder_person_id": w["boss"]["id"], "holder_department_id": w["dept"]["id"], **ent},
            "responsibility_holder_required",
        ),
        (
            "enterprise_main_responsible",
            {"holder_person_id": w["boss"]["id"], "object_type": "enterprise"},
            "responsibility_object_fields",
        ),
        (
            "enterprise_main_responsible",
            {"holder_person_id": w["boss"]["id"], "object_region_code": TOWN, **ent},
            "responsibility_object_fields",
        ),
        (
            "territorial",
            {
                "holder_department_id": w["town"]["id"],
                "object_type": "region",
                "object_region_code": "330106999",
            },
            "region_unknown",
        ),
    ]
    for kind, fields, code in cases:
        response = await post_assignment(client, admin, kind, **fields)
        assert response.status_code == 422, (kind, fields, response.text)
        assert response.json()["code"] == code, (kind, response.json())
    bad_period = await post_assignment(
        client,
        admin,
        "enterprise_main_responsible",
        holder_person_id=w["boss"]["id"],
        valid_from=utcnow(),
        valid_to=utcnow() - timedelta(1),
        **ent,
    )
    assert bad_period.status_code == 422
    unknown = await post_assignment(
        client,
        admin,
        "enterprise_main_responsible",
        holder_person_id=w["boss"]["id"],
        bogus=1,
        **ent,
    )
    assert unknown.status_code == 422


async def test_every_kind_can_be_assigned(
    client: AsyncClient, admin: dict[str, str], connection: AsyncConnection
) -> None:
    from tests.responsibility.builders import hazard

    w = await _world(client, admin)
    src = await source(client, admin, w["ent"]["id"])
    hz = await hazard(connection, w["ent"])
    person, leader = w["boss"]["id"], w["leader"]["id"]
    ent = {"object_type": "enterprise", "object_enterprise_id": w["ent"]["id"]}
    mhs = {"object_type": "major_hazard_source", "object_major_hazard_source_id": src["id"]}
    made = [
        await assign(
            client,
            admin,
            "territorial",
            holder_department_id=w["town"]["id"],
            object_type="region",
            object_region_code=TOWN,
        ),
        await assign(
            client,
            admin,
            "territorial",
            holder_person_id=leader,
            object_type="region",
            object_region_code=TOWN,
        ),
        await assign(
            client,
            admin,
            "departmental_supervision",
            holder_department_id=w["dept"]["id"],
            object_type="sector_region",
            object_region_code=COUNTY,
            object_sector="hazchem",
        ),
        await assign(client, admin, "enterprise_main_responsible", holder_person_id=person, **ent),
        await assign(client, admin, "enterprise_safety_manager", holder_person_id=person, **ent),
        await assign(client, admin, "leader_liaison", holder_person_id=leader, **ent),
        await assign(client, admin, "leader_liaison", holder_person_id=leader, **mhs),
        await assign(client, admin, "hazchem_main_responsible", holder_person_id=person, **mhs),
        await assign(client, admin, "hazchem_technical_lead", holder_person_id=person, **mhs),
        await assign(client, admin, "hazchem_operations_lead", holder_person_id=person, **mhs),
        await assign(
            client,
            admin,
            "hazard_rectification",
            holder_person_id=person,
            object_type="hazard",
            object_hazard_id=str(hz),
        ),
        await assign(
            client,
            admin,
            "leader_liaison",
            holder_person_id=leader,
            object_type="hazard",
            object_hazard_id=str(hz),
        ),
    ]
    days = {a["kind"]: a["required_visit_days"] for a in made}
    assert days["hazchem_technical_lead"] == 90
    assert days["hazchem_operations_lead"] == 7
    assert days["enterprise_main_responsible"] is None
    kinds = await client.get(URL, headers=admin, params={"kind": "territorial", "region": TOWN})
    assert {a["holder_type"] for a in kinds.json()["items"]} == {"person", "department"}


async def test_end_and_hand_over_keep_history(
    client: AsyncClient, admin: dict[str, str], connection: AsyncConnection
) -> None:
    w = await _world(client, admin)
    start = utcnow() - timedelta(days=30)
    first = await assign(
        client,
        admin,
        "enterprise_main_responsible",
        holder_person_id=w["boss"]["id"],
        object_type="enterprise",
        object_enterprise_id=w["ent"]["id"],
        valid_from=start,
        document_number="任字1号",
    )
    url = f"{URL}/{first['id']}"
    stale = await client.post(
        f"{url}/hand-over",
        headers={**admin, "If-Match": '"7"'},
        json={"reason": "x", "holder_person_id": w["boss2"]["id"]},
    )
    assert stale.status_code == 412
    same = await client.post(
        f"{url}/hand-over", headers=admin, json={"reason": "x", "holder_person_id": w["boss"]["id"]}
    )
    assert same.status_code == 422
    assert same.json()["code"] == "responsibility_same_holder"
    wrong = await client.post(
        f"{url}/hand-over",
        headers=admin,
        json={"reason": "x", "holder_person_id": w["leader"]["id"]},
    )
    assert wrong.status_code == 422
    assert (await client.get(url, headers=admin)).json()["valid_to"] is None  # nothing ended
    handed = await client.post(
        f"{url}/hand-over",
        headers={**admin, "If-Match": '"1"'},
        json={
            "reason": "工作调动",
            "holder_person_id": w["boss2"]["id"],
            "document_number": "任字2号",
        },
    )
    assert handed.status_code == 200, handed.text
    ended, started = handed.json()["ended"], handed.json()["started"]
    assert ended["end_reason"] == "工作调动"
    assert ended["current"] is False
    assert ended["valid_to"] == started["valid_from"]
    assert started["predecessor_id"] == first["id"]
    assert started["holder_name"] == "李总"
    assert started["document_number"] == "任字2号"
    assert started["current"] is True
    again = await client.post(f"{url}/end", headers=admin, json={"reason": "again"})
    assert again.status_code == 409
    assert again.json()["code"] == "responsibility_assignment_ended"
    patched = await client.patch(f"{url}", headers=admin, json={"valid_to": None})
    assert patched.status_code == 422
    history = await client.get(
        URL, headers=admin, params={"enterprise_id": w["ent"]["id"], "sort": "valid_from"}
    )
    assert [a["id"] for a in history.json()["items"]] == [first["id"], started["id"]]
    at_start = await client.get(
        URL,
        headers=admin,
        params={"enterprise_id": w["ent"]["id"], "at": (start + timedelta(days=1)).isoformat()},
    )
    assert [a["id"] for a in at_start.json()["items"]] == [first["id"]]
    actions = (
        await connection.execute(
            text("SELECT action FROM audit_event WHERE resource_id IN (:a, :b) ORDER BY seq"),
            {"a": first["id"], "b": started["id"]},
        )
    ).all()
    assert [a[0] for a in actions] == ["create", "hand_over", "create"]
    ended_now = await client.post(
        f"{URL}/{started['id']}/end", headers=admin, json={"reason": "企业注销"}
    )
    assert ended_now.status_code == 200
    assert ended_now.json()["version"] == 2
    manager = await assign(
        client,
        admin,
        "enterprise_safety_manager",
        holder_person_id=w["boss"]["id"],
        object_type="enterprise",
        object_enterprise_id=w["ent"]["id"],
    )
    before_start = await client.post(
        f"{URL}/{manager['id']}/end", headers=admin, json={"reason": "x", "at": start.isoformat()}
    )
    assert before_start.status_code == 422


async def test_patch_descriptive_fields(client: AsyncClient, admin: dict[str, str]) -> None:
    w = await _world(client, admin)
    a = await assign(
        client,
        admin,
        "leader_liaison",
        holder_person_id=w["leader"]["id"],
        object_type="enterprise",
        object_enterprise_id=w["ent"]["id"],
    )
    url = f"{URL}/{a['id']}"
    ok = await client.patch(
        url,
        headers={**admin, "If-Match": '"1"'},
        json={"duties": "每季度至少检查一次", "required_visit_days": 30},
    )
    assert ok.status_code == 200
    assert ok.json()["required_visit_days"] == 30
    stale = await client.patch(url, headers={**admin, "If-Match": '"1"'}, json={"duties": "x"})
    assert stale.status_code == 412


async def test_scope_by_role(client: AsyncClient, admin: dict[str, str], token: Token) -> None:
    w = await _world(client, admin)
    a = await assign(
        client,
        admin,
        "enterprise_main_responsible",
        holder_person_id=w["boss"]["id"],
        object_type="enterprise",
        object_enterprise_id=w["ent"]["id"],
    )
    url = f"{URL}/{a['id']}"
    other_dept = await create_department(client, admin, region_code=OTHER_COUNTY)
    outsider = token("department_official", department_id=other_dept["id"])
    assert (await client.get(url, headers=outsider)).status_code == 404
    listed = await client.get(URL, headers=outsider)
    assert a["id"] not in [x["id"] for x in listed.json()["items"]]
    ended = await client.post(f"{url}/end", headers=outsider, json={"reason": "x"})
    assert ended.status_code == 404
    fire_dept = await create_department(client, admin, sectors=["fire"])
    fire = token("department_official", department_id=fire_dept["id"])
    assert (await client.get(url, headers=fire)).status_code == 404  # other sector
    local = token("department_official", department_id=w["dept"]["id"])
    assert (await client.get(url, headers=local)).status_code == 200
    owner = token("enterprise_user", enterprise_id=w["ent"]["id"])
    assert (await client.get(url, headers=owner)).status_code == 200
    refused = await post_assignment(
        client,
        owner,
        "enterprise_safety_manager",
        holder_person_id=w["boss"]["id"],
        object_type="enterprise",
        object_enterprise_id=w["ent"]["id"],
    )
    assert refused.status_code == 403
    inspector = token("inspector", department_id=w["dept"]["id"])
    assert (
        await client.post(f"{url}/end", headers=inspector, json={"reason": "x"})
    ).status_code == 403
    town = token("town_official", region_code=OTHER_TOWN)
    out = await post_assignment(
        client,
        town,
        "enterprise_safety_manager",
        holder_person_id=w["boss"]["id"],
        object_type="enterprise",
        object_enterprise_id=w["ent"]["id"],
    )
    assert out.status_code == 422
    assert out.json()["code"] == "reference_not_found"
    assert (await client.get(url)).status_code == 401


async def test_major_hazard_sources(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    ent = await create_enterprise(client, admin)
    src = await source(client, admin, ent["id"], grade=1)
    url = f"/api/v1/major-hazard-sources/{src['id']}"
    got = await client.get(url, headers=admin)
    assert got.status_code == 200
    assert got.headers["etag"] == '"1"'
    listed = await client.get(
        "/api/v1/major-hazard-sources", headers=admin, params={"enterprise_id": ent["id"]}
    )
    assert [s["id"] for s in listed.json()["items"]] == [src["id"]]
    bad = await client.post(
        "/api/v1/major-hazard-sources",
        headers=admin,
        json={"enterprise_id": ent["id"], "name": "x", "grade": 5},
    )
    assert bad.status_code == 422
    other = await create_department(client, admin, region_code=OTHER_COUNTY)
    outsider = token("department_official", department_id=other["id"])
    assert (await client.get(url, headers=outsider)).status_code == 404
    refused = await client.post(
        "/api/v1/major-hazard-sources",
        headers=outsider,
        json={"enterprise_id": ent["id"], "name": "x", "grade": 2},
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "reference_not_found"
    owner = token("enterprise_user", enterprise_id=ent["id"])
    assert (await client.get(url, headers=owner)).status_code == 200


async def test_delta_sync_and_pages(client: AsyncClient, admin: dict[str, str]) -> None:
    w = await _world(client, admin)
    made = [
        await assign(
            client,
            admin,
            "enterprise_safety_manager",
            holder_person_id=p["id"],
            object_type="enterprise",
            object_enterprise_id=w["ent"]["id"],
        )
        for p in (w["boss"], w["boss2"])
    ]
    synced = await client.get(URL, headers=admin, params={"changed_since": "0", "limit": 200})
    assert synced.status_code == 200
    assert {m["id"] for m in made} <= {a["id"] for a in synced.json()["items"]}
    cursor = synced.json()["next_cursor"]
    await client.post(f"{URL}/{made[0]['id']}/end", headers=admin, json={"reason": "调离"})
    delta = await client.get(URL, headers=admin, params={"changed_since": cursor})
    assert [a["id"] for a in delta.json()["items"]] == [made[0]["id"]]
    first = await client.get(
        URL, headers=admin, params={"enterprise_id": w["ent"]["id"], "limit": 1}
    )
    second = await client.get(
        URL,
        headers=admin,
        params={"enterprise_id": w["ent"]["id"], "limit": 1, "cursor": first.json()["next_cursor"]},
    )
    assert {first.json()["items"][0]["id"], second.json()["items"][0]["id"]} == {
        m["id"] for m in made
    }
    assert (await client.get(URL, headers=admin, params={"sort": "holder"})).status_code == 422
