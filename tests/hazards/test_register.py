"""The register through HTTP: create (client id), read, edit, list filters, sort, nearby."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core import clock
from tests.factories import COUNTY, TOWN, TOWN_2, create_enterprise
from tests.hazards.builders import World, hazard_body, in_days, order_body
from tests.visits.builders import plan_visit

CODE = re.compile(r"^330106-\d{4}-\d{6}$")


async def test_create_read_and_client_id(world: World) -> None:
    body = hazard_body(
        world.ent_id,
        id=str(uuid.uuid4()),
        funds="1200.50",
        responsible_person={"name": "李四", "phone": "13900001111"},
    )
    created = await world.client.post("/api/v1/hazards", json=body, headers=world.inspector)
    assert created.status_code == 201, created.text
    hz = created.json()
    assert created.headers["location"] == f"/api/v1/hazards/{hz['id']}"
    assert created.headers["etag"] == '"1"'
    assert CODE.match(hz["code"])
    assert hz["status"] == "reported"
    assert hz["funds"] == "1200.50"
    assert hz["region_code"] == TOWN
    assert hz["overdue"] is False
    assert hz["location"] == {"lat": 30.259, "lon": 120.13}
    replay = await world.client.post("/api/v1/hazards", json=body, headers=world.inspector)
    assert replay.status_code == 200
    assert replay.json()["id"] == hz["id"]
    assert replay.json()["code"] == hz["code"]
    changed = await world.client.post(
        "/api/v1/hazards", json={**body, "title": "别的"}, headers=world.inspector
    )
    assert changed.status_code == 409
    assert changed.json()["code"] == "id_conflict"
    got = await world.client.get(f"/api/v1/hazards/{hz['id']}", headers=world.dept)
    assert got.status_code == 200
    assert got.headers["etag"] == '"1"'
    assert (
        await world.client.get(f"/api/v1/hazards/{uuid.uuid4()}", headers=world.admin)
    ).status_code == 404
    bad = await world.client.post(
        "/api/v1/hazards", json={**body, "colour": "red"}, headers=world.admin
    )
    assert bad.status_code == 422
    bad = await world.client.post(
        "/api/v1/hazards", json={**body, "sector": "space"}, headers=world.admin
    )
    assert bad.status_code == 422


async def test_codes_increase_per_county(world: World) -> None:
    first = await world.hazard()
    second = await world.hazard()
    assert int(second["code"][-6:]) == int(first["code"][-6:]) + 1
    assert second["code"][:11] == first["code"][:11]


async def test_patch_and_if_match(world: World) -> None:
    hz = await world.hazard()
    url = f"/api/v1/hazards/{hz['id']}"
    stale = await world.client.patch(
        url, json={"title": "新"}, headers={**world.dept, "If-Match": '"9"'}
    )
    assert stale.status_code == 412
    ok = await world.client.patch(
        url,
        json={"title": "储罐区接地线断裂", "location": None},
        headers={**world.dept, "If-Match": '"1"'},
    )
    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    assert ok.json()["location"] is None
    assert ok.headers["etag"] == '"2"'
    same = await world.client.patch(url, json={"title": "储罐区接地线断裂"}, headers=world.dept)
    assert same.json()["version"] == 2  # nothing changed, nothing written
    r = await world.client.patch(url, json={"status": "closed"}, headers=world.dept)
    assert r.status_code == 422  # status changes only through actions
    expert = world.token("expert")
    assert (await world.client.patch(url, json={"title": "x"}, headers=expert)).status_code == 404
    await world.ok(hz, "cancel", {"reason": "重复"}, world.dept)
    r = await world.client.patch(url, json={"title": "x"}, headers=world.dept)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_not_open"


async def test_list_filters(world: World) -> None:
    other_ent = await create_enterprise(world.client, world.admin, region_code=TOWN_2)
    visit = await plan_visit(
        world.client, world.admin, other_ent["id"], lead_department_id=world.department["id"]
    )
    a = await world.rectifying(title="配电箱未接地", source="joint")
    b = await world.hazard(
        title="消防通道堵塞",
        description="仓库东侧通道堆放杂物",
        sector="fire",
        enterprise_id=other_ent["id"],
        visit_id=visit["id"],
        found_at="2026-01-05T08:00:00+08:00",
    )
    c = await world.registered("major")

    async def ids(**params: Any) -> set[str]:
        r = await world.client.get("/api/v1/hazards", params=params, headers=world.admin)
        assert r.status_code == 200, r.text
        return {h["id"] for h in r.json()["items"]}

    mine = {a["id"], b["id"], c["id"]}
    assert await ids(status=["rectifying", "registered"]) & mine == {a["id"], c["id"]}
    assert await ids(level="major") & mine == {c["id"]}
    assert await ids(sector="fire") & mine == {b["id"]}
    assert await ids(region=TOWN_2) & mine == {b["id"]}
    assert await ids(region=COUNTY) >= mine
    assert await ids(enterprise_id=world.ent_id) & mine == {a["id"], c["id"]}
    assert await ids(source="joint") & mine == {a["id"]}
    assert await ids(visit_id=b["visit_id"]) == {b["id"]}
    assert await ids(q="通道堆放") == {b["id"]}  # description substring
    assert await ids(q="配电") & mine == {a["id"]}
    assert await ids(q="配堆") & mine == set()
    assert await ids(found_to="2026-02-01T00:00:00+08:00") & mine == {b["id"]}
    assert b["id"] not in await ids(found_from="2026-02-01T00:00:00+08:00")
    assert await ids(deadline_from=in_days(29), deadline_to=in_days(31)) & mine == {a["id"]}
    assert await ids(responsible_person="张三") & mine == {a["id"]}
    r = await world.client.get("/api/v1/hazards", params={"colour": "red"}, headers=world.admin)
    assert r.status_code == 422
    r = await world.client.get("/api/v1/hazards", params={"sort": "title"}, headers=world.admin)
    assert r.status_code == 422
    assert r.json()["code"] == "sort_not_allowed"


async def test_overdue_is_computed_with_the_clock(world: World) -> None:
    late = await world.rectifying()  # deadline in 30 days
    closed = await world.pending()
    await world.ok(closed, "accept", {"opinion": "合格"}, world.dept)
    no_deadline = await world.hazard()

    async def overdue_ids(flag: str) -> set[str]:
        r = await world.client.get("/api/v1/hazards", params={"overdue": flag}, headers=world.dept)
        return {h["id"] for h in r.json()["items"]}

    assert late["id"] not in await overdue_ids("true")
    clock.set_offset(timedelta(days=31))
    assert await overdue_ids("true") & {late["id"], closed["id"], no_deadline["id"]} == {late["id"]}
    assert {closed["id"], no_deadline["id"]} <= await overdue_ids("false")
    got = await world.client.get(f"/api/v1/hazards/{late['id']}", headers=world.dept)
    assert got.json()["overdue"] is True
    assert got.json()["status"] == "rectifying"
    closed_now = await world.client.get(f"/api/v1/hazards/{closed['id']}", headers=world.dept)
    assert closed_now.json()["overdue"] is False


async def test_sort_and_pages(world: World) -> None:
    made = []
    for days in (50, 10, 30):
        hz = await world.registered()
        made.append(
            await world.ok(
                hz, "order-rectification", order_body(deadline=in_days(days)), world.dept
            )
        )
    made.append(await world.hazard())  # no deadline: sorts last
    seen: list[dict[str, object]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"sort": "deadline", "limit": 2, "enterprise_id": world.ent_id}
        if cursor:
            params["cursor"] = cursor
        r = await world.client.get("/api/v1/hazards", params=params, headers=world.dept)
        assert r.status_code == 200, r.text
        seen += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    assert [h["deadline"] for h in seen] == [in_days(10), in_days(30), in_days(50), None]
    by_code = await world.client.get(
        "/api/v1/hazards",
        params={"sort": "-code", "enterprise_id": world.ent_id},
        headers=world.dept,
    )
    codes = [h["code"] for h in by_code.json()["items"]]
    assert codes == sorted(codes, reverse=True)
    found = await world.client.get(
        "/api/v1/hazards", params={"enterprise_id": world.ent_id}, headers=world.dept
    )
    times = [h["found_at"] for h in found.json()["items"]]
    assert times == sorted(times, reverse=True)


async def test_changed_since(world: World) -> None:
    first = await world.client.get(
        "/api/v1/hazards", params={"changed_since": "0", "limit": 200}, headers=world.dept
    )
    assert first.status_code == 200
    cursor = first.json()["next_cursor"]
    while cursor and len(first.json()["items"]) == 200:  # pragma: no cover - big databases
        first = await world.client.get(
            "/api/v1/hazards", params={"changed_since": cursor}, headers=world.dept
        )
        cursor = first.json()["next_cursor"]
    hz = await world.hazard()
    delta = await world.client.get(
        "/api/v1/hazards", params={"changed_since": cursor}, headers=world.dept
    )
    assert [h["id"] for h in delta.json()["items"]] == [hz["id"]]


async def test_nearby(world: World) -> None:
    near = await world.hazard(location={"lat": 30.2590, "lon": 120.1300})
    mid = await world.hazard(location={"lat": 30.2620, "lon": 120.1300})  # ~334 m north
    far = await world.hazard(location={"lat": 30.3000, "lon": 120.1300})  # ~4.6 km
    closed = await world.hazard(location={"lat": 30.2591, "lon": 120.1300})
    await world.ok(closed, "cancel", {"reason": "重复"}, world.dept)
    r = await world.client.get(
        "/api/v1/hazards/nearby",
        params={"lat": 30.259, "lon": 120.13, "radius_m": 500},
        headers=world.inspector,
    )
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    ids = [h["id"] for h in items]
    assert ids.index(near["id"]) < ids.index(mid["id"])
    assert far["id"] not in ids
    assert closed["id"] not in ids
    assert 300 < next(h for h in items if h["id"] == mid["id"])["distance_m"] < 370
    all_states = await world.client.get(
        "/api/v1/hazards/nearby",
        params={"lat": 30.259, "lon": 120.13, "radius_m": 5000, "open_only": "false"},
        headers=world.inspector,
    )
    assert {near["id"], far["id"], closed["id"]} <= {h["id"] for h in all_states.json()["items"]}
    outsider = world.token("enterprise_user", enterprise_id=str(uuid.uuid4()))
    hidden = await world.client.get(
        "/api/v1/hazards/nearby",
        params={"lat": 30.259, "lon": 120.13, "radius_m": 500},
        headers=outsider,
    )
    assert hidden.json()["items"] == []
    r = await world.client.get(
        "/api/v1/hazards/nearby",
        params={"lat": 30.259, "lon": 120.13, "radius_m": 60000},
        headers=world.inspector,
    )
    assert r.status_code == 422


async def test_timeline_audit_and_outbox(world: World, connection: AsyncConnection) -> None:
    hz = await world.registered()
    ordered = await world.ok(
        hz,
        "order-rectification",
        {
            **order_body(),
            "comment": "限期30日",
            "document_numbers": ["西应急责改〔2026〕12号"],
            "location": {"lat": 30.26, "lon": 120.13},
        },
        world.dept,
    )
    events = await world.client.get(
        f"/api/v1/hazards/{hz['id']}/events", headers=world.enterprise_user
    )
    items = events.json()["items"]
    assert [e["action"] for e in items] == ["report", "register", "order_rectification"]
    step = items[-1]
    assert step["from_status"] == "registered"
    assert step["to_status"] == "rectifying"
    assert step["actor_role"] == "department_official"
    assert step["actor_department_id"] == world.department["id"]
    assert step["comment"] == "限期30日"
    assert step["document_numbers"] == ["西应急责改〔2026〕12号"]
    assert step["location"] == {"lat": 30.26, "lon": 120.13}
    assert step["hazard_version"] == ordered["version"]
    audit = (
        (
            await connection.execute(
                text(
                    "SELECT action FROM audit_event WHERE resource_type = 'hazard' "
                    "AND resource_id = :id ORDER BY seq"
                ),
                {"id": hz["id"]},
            )
        )
        .scalars()
        .all()
    )
    assert audit == ["report", "register", "order_rectification"]
    outbox = (
        await connection.execute(
            text("SELECT type, data FROM outbox_event WHERE subject LIKE :s ORDER BY seq"),
            {"s": f"%{hz['id']}%"},
        )
    ).all()
    assert [o[0] for o in outbox] == [
        "gov.anjian.hazard.created",
        "gov.anjian.hazard.registered",
        "gov.anjian.hazard.rectification_ordered",
    ]
    assert outbox[-1][1]["status"] == "rectifying"
    assert outbox[-1][1]["version"] == ordered["version"]
    # the timeline is append-only in the database itself
    await connection.execute(text("SAVEPOINT before_tamper"))
    with pytest.raises(DBAPIError, match="append-only"):
        await connection.execute(text("UPDATE hazard_event SET comment = 'x'"))
    await connection.execute(text("ROLLBACK TO SAVEPOINT before_tamper"))


async def test_enums_are_published(world: World) -> None:
    r = await world.client.get("/api/v1/reference/enums", headers=world.admin)
    assert r.status_code == 200
    text_body = r.text
    for name in (
        "hazard_status",
        "hazard_level",
        "hazard_source",
        "escalation_measure",
        "attachment_purpose",
        "hazard_action",
        "listing_level",
    ):
        assert name in text_body
