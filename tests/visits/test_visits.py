"""Visit planning and lifecycle through HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models.audit import AuditEvent, OutboxEvent
from tests.factories import OTHER_TOWN, create_department, create_enterprise
from tests.visits.builders import (
    FAR,
    HERE,
    add_person,
    complete,
    inspector_member,
    plan_visit,
    setup_unit,
    start,
)

Token = Callable[..., dict[str, str]]
URL = "/api/v1/inspection-visits"


async def test_departmental_lifecycle(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    u = await setup_unit(client, admin, token)
    visit = await plan_visit(client, u["official"], u["ent"]["id"])
    assert visit["status"] == "planned"
    assert visit["lead_department_id"] == u["dept"]["id"]
    assert visit["checklist_template_id"] is not None  # the hazchem template by default
    assert visit["members"][0]["certificate_number"] == "33010620260001"
    got = await client.get(f"{URL}/{visit['id']}", headers=u["official"])
    assert got.status_code == 200
    assert got.headers["etag"] == '"1"'
    stale = await client.post(
        f"{URL}/{visit['id']}/start",
        json={"location": HERE},
        headers={**u["official"], "If-Match": '"7"'},
    )
    assert stale.status_code == 412
    started = await start(client, u["official"], visit["id"])
    assert started["status"] == "in_progress"
    assert started["checkin_distance_m"] < 1
    again = await client.post(
        f"{URL}/{visit['id']}/start", json={"location": HERE}, headers=u["official"]
    )
    assert again.status_code == 409
    assert again.json()["code"] == "visit_not_planned"
    patched = await client.patch(
        f"{URL}/{visit['id']}", json={"purpose": "x"}, headers=u["official"]
    )
    assert patched.status_code == 409
    done = await complete(client, u["official"], visit["id"])
    assert done["status"] == "completed"
    assert done["summary"] == "检查了重点部位"
    cancel = await client.post(
        f"{URL}/{visit['id']}/cancel", json={"reason": "x"}, headers=u["official"]
    )
    assert cancel.status_code == 409
    assert cancel.json()["code"] == "visit_not_cancellable"


async def test_checkin_radius_needs_reason(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    u = await setup_unit(client, admin, token)
    visit = await plan_visit(client, u["official"], u["ent"]["id"])
    far = await client.post(
        f"{URL}/{visit['id']}/start", json={"location": FAR}, headers=u["official"]
    )
    assert far.status_code == 422
    assert far.json()["code"] == "checkin_too_far"
    ok = await start(client, u["official"], visit["id"], location=FAR, reason="企业大门在北侧新址")
    assert ok["checkin_reason"] == "企业大门在北侧新址"
    assert ok["checkin_distance_m"] > 500


async def test_cancel_needs_reason(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    u = await setup_unit(client, admin, token)
    visit = await plan_visit(client, u["official"], u["ent"]["id"])
    assert (
        await client.post(f"{URL}/{visit['id']}/cancel", json={}, headers=u["official"])
    ).status_code == 422
    cancelled = await client.post(
        f"{URL}/{visit['id']}/cancel", json={"reason": "企业停产"}, headers=u["official"]
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"


async def test_each_visit_type_can_be_planned(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    u = await setup_unit(client, admin, token)
    other = await create_department(client, admin, name="消防救援大队", sectors=["fire"])
    campaign = await client.post(
        "/api/v1/campaigns",
        json={
            "name": "节前安全大检查",
            "document_number": "西安委办〔2026〕1号",
            "region_code": "330106",
            "sectors": ["hazchem"],
            "starts_on": "2026-12-01",
            "ends_on": "2027-01-31",
        },
        headers=u["official"],
    )
    extra: dict[str, dict[str, Any]] = {
        "departmental": {},
        "joint": {"participating_department_ids": [other["id"]]},
        "supervisory": {},
        "leader_led": {"leading_official": "赵副县长"},
        "unannounced": {},
        "report_verification": {},
        "expert_service": {"members": [{"role": "expert", "name": "钱专家"}]},
    }
    if campaign.status_code == 201:
        extra["special_campaign"] = {"campaign_id": campaign.json()["id"]}
    for visit_type, more in extra.items():
        visit = await plan_visit(client, u["official"], u["ent"]["id"], type=visit_type, **more)
        assert visit["type"] == visit_type
        started = await start(client, u["official"], visit["id"])
        assert started["status"] == "in_progress"
        await complete(client, u["official"], visit["id"])
        record = await client.get(f"{URL}/{visit['id']}/onsite-record", headers=u["official"])
        assert record.status_code == (404 if visit_type == "expert_service" else 200), visit_type


async def test_type_rules(client: AsyncClient, admin: dict[str, str], token: Token) -> None:
    u = await setup_unit(client, admin, token)
    eid = u["ent"]["id"]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"type": "joint"}, "joint_needs_departments"),
        ({"type": "leader_led"}, "leader_required"),
        ({"type": "special_campaign"}, "campaign_required"),
        ({"type": "lookback"}, "hazards_required"),
        ({"type": "self_inspection"}, "self_inspection_by_enterprise"),
        ({"members": [{"role": "inspector", "name": "无证"}]}, "certificate_required"),
    ]
    for body, code in cases:
        response = await client.post(
            URL,
            json={"type": "departmental", "enterprise_id": eid, "planned_on": "2026-12-01", **body},
            headers=u["official"],
        )
        assert response.status_code == 422, (body, response.text)
        assert response.json()["code"] == code
    no_inspector = await plan_visit(client, u["official"], eid, members=[])
    refused = await client.post(
        f"{URL}/{no_inspector['id']}/start", json={"location": HERE}, headers=u["official"]
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "visit_inspectors_required"
    unknown = await client.post(
        URL,
        json={
            "type": "departmental",
            "enterprise_id": eid,
            "planned_on": "2026-12-01",
            "colour": "red",
        },
        headers=u["official"],
    )
    assert unknown.status_code == 422


async def test_client_id_is_idempotent(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    u = await setup_unit(client, admin, token)
    vid = "01938a4e-1111-7000-8000-000000000001"
    first = await plan_visit(client, u["official"], u["ent"]["id"], id=vid)
    assert first["id"] == vid
    body = {
        "id": vid,
        "type": "departmental",
        "enterprise_id": u["ent"]["id"],
        "planned_on": "2026-12-01",
        "purpose": "例行执法检查",
        "members": [inspector_member()],
    }
    same = await client.post(URL, json=body, headers=u["official"])
    assert same.status_code == 200
    assert same.json()["id"] == vid
    other = await client.post(URL, json={**body, "planned_on": "2026-12-02"}, headers=u["official"])
    assert other.status_code == 409
    assert other.json()["code"] == "id_conflict"


async def test_scope_and_roles(
    client: AsyncClient, admin: dict[str, str], token: Token, connection: AsyncConnection
) -> None:
    u = await setup_unit(client, admin, token)
    far_ent = await create_enterprise(client, admin, region_code=OTHER_TOWN)
    out = await client.post(
        URL,
        json={"type": "departmental", "enterprise_id": far_ent["id"], "planned_on": "2026-12-01"},
        headers=u["official"],
    )
    assert out.status_code == 422
    assert out.json()["code"] == "reference_not_found"
    visit = await plan_visit(client, u["official"], u["ent"]["id"])
    fire_dept = await create_department(client, admin, sectors=["fire"])
    fire_official = token("department_official", department_id=fire_dept["id"])
    assert (await client.get(f"{URL}/{visit['id']}", headers=fire_official)).status_code == 404
    # an inspector of another sector sees the visit once named on it
    sub = "inspector-on-visit"
    person = await add_person(connection, subject=sub, department_id=fire_dept["id"])
    inspector = token("inspector", sub=sub, department_id=fire_dept["id"])
    assert (await client.get(f"{URL}/{visit['id']}", headers=inspector)).status_code == 404
    patched = await client.patch(
        f"{URL}/{visit['id']}",
        json={"members": [inspector_member("王检查", person)]},
        headers=u["official"],
    )
    assert patched.status_code == 200
    assert patched.json()["version"] == 2
    assert (await client.get(f"{URL}/{visit['id']}", headers=inspector)).status_code == 200
    listed = await client.get(URL, headers=inspector)
    assert [v["id"] for v in listed.json()["items"]] == [visit["id"]]
    expert = token("expert")
    assert (
        await client.post(
            URL,
            json={
                "type": "departmental",
                "enterprise_id": u["ent"]["id"],
                "planned_on": "2026-12-01",
            },
            headers=expert,
        )
    ).status_code == 403
    assert (await client.get(URL)).status_code == 401


async def test_enterprise_self_inspection_and_unannounced(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    u = await setup_unit(client, admin, token)
    other = await create_enterprise(client, admin)
    staff = token("enterprise_user", enterprise_id=u["ent"]["id"])
    self_visit = await plan_visit(
        client,
        staff,
        u["ent"]["id"],
        type="self_inspection",
        members=[{"role": "staff", "name": "李四"}],
    )
    assert self_visit["lead_department_id"] is None
    await start(client, staff, self_visit["id"])
    await complete(client, staff, self_visit["id"])
    nope = await client.post(
        URL,
        json={"type": "departmental", "enterprise_id": u["ent"]["id"], "planned_on": "2026-12-01"},
        headers=staff,
    )
    assert nope.status_code == 403
    assert nope.json()["code"] == "visit_type_not_allowed"
    elsewhere = await client.post(
        URL,
        json={"type": "self_inspection", "enterprise_id": other["id"], "planned_on": "2026-12-01"},
        headers=staff,
    )
    assert elsewhere.status_code == 422
    assert elsewhere.json()["code"] == "reference_not_found"
    secret = await plan_visit(client, u["official"], u["ent"]["id"], type="unannounced")
    assert (await client.get(f"{URL}/{secret['id']}", headers=staff)).status_code == 404
    ids = [v["id"] for v in (await client.get(URL, headers=staff)).json()["items"]]
    assert secret["id"] not in ids
    assert self_visit["id"] in ids
    official_visit = await plan_visit(client, u["official"], u["ent"]["id"])
    assert (
        await client.post(
            f"{URL}/{official_visit['id']}/start", json={"location": HERE}, headers=staff
        )
    ).status_code == 403
    await start(client, u["official"], secret["id"])
    assert (await client.get(f"{URL}/{secret['id']}", headers=staff)).status_code == 200


async def test_writes_leave_audit_and_events(
    client: AsyncClient, admin: dict[str, str], token: Token, connection: AsyncConnection
) -> None:
    u = await setup_unit(client, admin, token)
    visit = await plan_visit(client, u["official"], u["ent"]["id"], type="unannounced")
    await start(client, u["official"], visit["id"])
    audit = (
        await connection.execute(
            select(AuditEvent.action).where(AuditEvent.resource_id == visit["id"])
        )
    ).scalars()
    assert sorted(audit) == ["create", "start"]
    events = (
        await connection.execute(
            select(OutboxEvent.type, OutboxEvent.enterprise_id)
            .where(OutboxEvent.subject == f"inspection_visit/{visit['id']}")
            .order_by(OutboxEvent.time)
        )
    ).all()
    # the unannounced visit's creation is not addressed to the enterprise; its start is
    assert [(t, str(e) if e else None) for t, e in events] == [
        ("gov.anjian.inspection_visit.created", None),
        ("gov.anjian.inspection_visit.started", u["ent"]["id"]),
    ]


async def test_delta_sync(client: AsyncClient, admin: dict[str, str], token: Token) -> None:
    u = await setup_unit(client, admin, token)
    first = await plan_visit(client, u["official"], u["ent"]["id"])
    page = await client.get(URL, params={"changed_since": "0"}, headers=u["official"])
    assert page.status_code == 200
    assert [v["id"] for v in page.json()["items"]] == [first["id"]]
    cursor = page.json()["next_cursor"]
    await start(client, u["official"], first["id"])
    later = await client.get(URL, params={"changed_since": cursor}, headers=u["official"])
    assert [v["status"] for v in later.json()["items"]] == ["in_progress"]
