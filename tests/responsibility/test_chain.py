"""Chains at a moment (enterprise, hazard, person), derived supervision, stored snapshots."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.core.clock import utcnow
from app.responsibility.chain import responsibility_chain, store_snapshot
from tests.factories import COUNTY, OTHER_COUNTY, TOWN, create_department, create_enterprise
from tests.responsibility.builders import assign, hazard, official, source, staff, visit

Token = Callable[..., dict[str, str]]


def _holders(entries: list[dict[str, Any]]) -> list[tuple[str | None, str]]:
    return [(e["holder"]["name"], e["source"]) for e in entries]


async def test_enterprise_chain_derived_and_explicit(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    # A county department supervising hazchem covers every hazchem enterprise below the county
    # without any assignment; the town government is the territorial unit.
    emergency = await create_department(
        client, admin, name="西湖区应急管理局", sectors=["hazchem", "industry_trade"]
    )
    await create_department(
        client, admin, name="拱墅区应急管理局", region_code=OTHER_COUNTY, sectors=["hazchem"]
    )
    fire = await create_department(client, admin, name="西湖区消防救援大队", sectors=["fire"])
    await create_department(
        client, admin, name="北山街道办事处", kind="town_government", region_code=TOWN, sectors=[]
    )
    ent = await create_enterprise(client, admin, sectors=["hazchem", "fire"], risk_grade="red")
    chain = (
        await client.get(f"/api/v1/enterprises/{ent['id']}/responsibility", headers=admin)
    ).json()
    supervision = {s["sector"]: _holders(s["departments"]) for s in chain["supervision"]}
    assert supervision == {
        "hazchem": [("西湖区应急管理局", "derived")],
        "fire": [("西湖区消防救援大队", "derived")],
    }
    assert _holders(chain["territorial"]) == [("北山街道办事处", "derived")]
    assert chain["town"] == {"code": TOWN, "name": chain["town"]["name"]}
    assert chain["main_responsible"] == []
    assert chain["leaders"] == []
    # explicit assignments join the derived ones (no duplicate for the same department)
    boss = await staff(client, admin, ent["id"], "张总")
    leader = await official(client, admin, emergency["id"], "王副区长")
    await assign(
        client,
        admin,
        "enterprise_main_responsible",
        holder_person_id=boss["id"],
        object_type="enterprise",
        object_enterprise_id=ent["id"],
    )
    await assign(
        client,
        admin,
        "leader_liaison",
        holder_person_id=leader["id"],
        object_type="enterprise",
        object_enterprise_id=ent["id"],
    )
    await assign(
        client,
        admin,
        "departmental_supervision",
        holder_department_id=fire["id"],
        object_type="sector_region",
        object_region_code=COUNTY,
        object_sector="fire",
        document_number="西安委〔2026〕3号",
    )
    await assign(
        client,
        admin,
        "territorial",
        holder_person_id=leader["id"],
        object_type="region",
        object_region_code=TOWN,
    )
    src = await source(client, admin, ent["id"], grade=1)
    await assign(
        client,
        admin,
        "hazchem_technical_lead",
        holder_person_id=boss["id"],
        object_type="major_hazard_source",
        object_major_hazard_source_id=src["id"],
    )
    chain = (
        await client.get(f"/api/v1/enterprises/{ent['id']}/responsibility", headers=admin)
    ).json()
    assert _holders(chain["main_responsible"]) == [("张总", "explicit")]
    assert _holders(chain["leaders"]) == [("王副区长", "explicit")]
    by_sector = {s["sector"]: s["departments"] for s in chain["supervision"]}
    assert _holders(by_sector["fire"]) == [("西湖区消防救援大队", "explicit")]
    assert by_sector["fire"][0]["document_number"] == "西安委〔2026〕3号"
    assert _holders(chain["territorial"]) == [
        ("王副区长", "explicit"),
        ("北山街道办事处", "derived"),
    ]
    [mhs] = chain["major_hazard_sources"]
    assert mhs["grade"] == 1
    assert _holders(mhs["technical_leads"]) == [("张总", "explicit")]
    assert mhs["technical_leads"][0]["required_visit_days"] == 90


async def test_chain_at_a_past_time_across_a_hand_over(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    ent = await create_enterprise(client, admin)
    old, new = (
        await staff(client, admin, ent["id"], "老厂长"),
        await staff(client, admin, ent["id"], "新厂长"),
    )
    start = utcnow() - timedelta(days=60)
    first = await assign(
        client,
        admin,
        "enterprise_main_responsible",
        holder_person_id=old["id"],
        object_type="enterprise",
        object_enterprise_id=ent["id"],
        valid_from=start,
    )
    handover_at = utcnow() - timedelta(days=20)
    handed = await client.post(
        f"/api/v1/responsibility-assignments/{first['id']}/hand-over",
        headers=admin,
        json={"reason": "换届", "at": handover_at.isoformat(), "holder_person_id": new["id"]},
    )
    assert handed.status_code == 200, handed.text
    url = f"/api/v1/enterprises/{ent['id']}/responsibility"

    async def main_at(at: Any) -> list[tuple[str | None, str]]:
        params = {"at": at.isoformat()} if at else {}
        response = await client.get(url, headers=admin, params=params)
        assert response.status_code == 200, response.text
        return _holders(response.json()["main_responsible"])

    assert await main_at(start - timedelta(days=1)) == []
    assert await main_at(handover_at - timedelta(seconds=1)) == [("老厂长", "explicit")]
    assert await main_at(handover_at) == [("新厂长", "explicit")]
    assert await main_at(None) == [("新厂长", "explicit")]
    naive = await client.get(url, headers=admin, params={"at": "2026-01-01T00:00:00"})
    assert naive.status_code == 422
    assert (await client.get(url, headers=admin, params={"when": "x"})).status_code == 422


async def test_chain_scope(client: AsyncClient, admin: dict[str, str], token: Token) -> None:
    ent = await create_enterprise(client, admin)
    url = f"/api/v1/enterprises/{ent['id']}/responsibility"
    other = await create_department(client, admin, region_code=OTHER_COUNTY)
    assert (
        await client.get(url, headers=token("department_official", department_id=other["id"]))
    ).status_code == 404
    assert (
        await client.get(url, headers=token("enterprise_user", enterprise_id=ent["id"]))
    ).status_code == 200
    assert (
        await client.get(url, headers=token("enterprise_user", enterprise_id=str(uuid.uuid4())))
    ).status_code == 404
    assert (
        await client.get(url, headers=token("town_official", region_code=TOWN))
    ).status_code == 200
    assert (
        await client.get(f"/api/v1/enterprises/{uuid.uuid4()}/responsibility", headers=admin)
    ).status_code == 404
    assert (await client.get(url)).status_code == 401


async def test_hazard_chain_and_snapshots(
    client: AsyncClient, admin: dict[str, str], connection: AsyncConnection, token: Token
) -> None:
    ent = await create_enterprise(client, admin)
    hz = await hazard(connection, ent, deadline=date(2026, 1, 31), responsible="赵主任")
    fixer = await staff(client, admin, ent["id"], "钱工")
    dept = await create_department(client, admin, sectors=["hazchem"])
    leader = await official(client, admin, dept["id"], "孙局长")
    rect = await assign(
        client,
        admin,
        "hazard_rectification",
        holder_person_id=fixer["id"],
        object_type="hazard",
        object_hazard_id=str(hz),
    )
    await assign(
        client,
        admin,
        "leader_liaison",
        holder_person_id=leader["id"],
        object_type="hazard",
        object_hazard_id=str(hz),
    )
    url = f"/api/v1/hazards/{hz}/responsibility"
    body = (await client.get(url, headers=admin)).json()
    assert body["hazard"]["overdue"] is True
    assert body["hazard"]["status"] == "rectifying"
    assert _holders(body["rectification"]) == [("钱工", "explicit"), ("赵主任", "hazard_record")]
    assert _holders(body["hazard_leaders"]) == [("孙局长", "explicit")]
    assert _holders(body["enterprise"]["leaders"]) == [("孙局长", "explicit")]
    # the worker / hazard service stores the chain when the hazard becomes overdue, then the
    # rectification person changes, then the hazard is closed: each snapshot keeps its moment
    session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")
    overdue_id = await store_snapshot(session, hz, "overdue")
    await session.commit()
    handed = await client.post(
        f"/api/v1/responsibility-assignments/{rect['id']}/hand-over",
        headers=admin,
        json={
            "reason": "离职",
            "holder_person_id": (await staff(client, admin, ent["id"], "李工"))["id"],
        },
    )
    assert handed.status_code == 200, handed.text
    event_id = uuid.uuid4()
    closed_id = await store_snapshot(session, hz, "closed", event_id=event_id)
    await session.commit()
    snaps = await client.get(f"/api/v1/hazards/{hz}/responsibility-snapshots", headers=admin)
    items = snaps.json()["items"]
    assert [(s["id"], s["reason"]) for s in items] == [
        (str(overdue_id), "overdue"),
        (str(closed_id), "closed"),
    ]
    assert _holders(items[0]["chain"]["rectification"])[0] == ("钱工", "explicit")
    assert _holders(items[1]["chain"]["rectification"])[0] == ("李工", "explicit")
    assert items[1]["event_id"] == str(event_id)
    audit = (
        await connection.execute(
            text(
                "SELECT count(*) FROM audit_event WHERE resource_type = 'responsibility_snapshot' "
                "AND resource_id IN (:a, :b)"
            ),
            {"a": str(overdue_id), "b": str(closed_id)},
        )
    ).scalar()
    assert audit == 2
    # the plain function other domains call
    data = await responsibility_chain(session, hz)
    assert data["hazard"]["id"] == str(hz)
    assert data["enterprise"]["enterprise"]["id"] == ent["id"]
    # scope
    other = await create_department(client, admin, region_code=OTHER_COUNTY)
    outsider = token("department_official", department_id=other["id"])
    assert (await client.get(url, headers=outsider)).status_code == 404
    assert (
        await client.get(f"/api/v1/hazards/{hz}/responsibility-snapshots", headers=outsider)
    ).status_code == 404
    assert (
        await client.get(f"/api/v1/hazards/{uuid.uuid4()}/responsibility", headers=admin)
    ).status_code == 404
    owner = token("enterprise_user", enterprise_id=ent["id"])
    assert (await client.get(url, headers=owner)).status_code == 200


async def test_person_responsibilities(
    client: AsyncClient, admin: dict[str, str], connection: AsyncConnection, token: Token
) -> None:
    dept = await create_department(client, admin, sectors=["hazchem"])
    ent = await create_enterprise(client, admin)
    leader = await official(client, admin, dept["id"], "周书记")
    start = utcnow() - timedelta(days=100)
    a = await assign(
        client,
        admin,
        "leader_liaison",
        holder_person_id=leader["id"],
        object_type="enterprise",
        object_enterprise_id=ent["id"],
        valid_from=start,
        required_visit_days=30,
    )
    hz = await hazard(connection, ent, deadline=date(2026, 1, 1))
    await hazard(connection, ent, status="closed")
    url = f"/api/v1/people/{leader['id']}/responsibilities"
    body = (await client.get(url, headers=admin)).json()
    assert [x["id"] for x in body["assignments"]] == [a["id"]]
    assert [(h["id"], h["via"], h["overdue"]) for h in body["open_hazards"]] == [
        (str(hz), ["leader_liaison"], True)
    ]
    [due] = body["visits_due"]
    assert due["last_visit_at"] is None
    assert due["overdue"] is True
    await visit(connection, ent, leader["id"], utcnow() - timedelta(days=3))
    [due] = (await client.get(url, headers=admin)).json()["visits_due"]
    assert due["last_visit_at"] is not None
    assert due["overdue"] is False
    before = await client.get(
        url, headers=admin, params={"at": (start - timedelta(days=1)).isoformat()}
    )
    assert before.json()["assignments"] == []
    assert before.json()["visits_due"] == []
    other = await create_department(client, admin, region_code=OTHER_COUNTY)
    assert (
        await client.get(url, headers=token("department_official", department_id=other["id"]))
    ).status_code == 404
    assert (
        await client.get(f"/api/v1/people/{uuid.uuid4()}/responsibilities", headers=admin)
    ).status_code == 404


async def test_enums_are_listed(client: AsyncClient, admin: dict[str, str]) -> None:
    enums = (await client.get("/api/v1/reference/enums", headers=admin)).json()["enums"]
    kinds = {e["value"]: e["label_zh"] for e in enums["responsibility_kind"]}
    assert kinds["hazchem_technical_lead"] == "重大危险源技术负责人"
    assert {
        "responsibility_object_type",
        "responsibility_snapshot_reason",
        "responsibility_gap_kind",
    } <= set(enums)
