"""Campaigns and their progress, coverage, the calendar, checklist templates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.clock import today_china
from tests.factories import COUNTY, OTHER_COUNTY, create_enterprise
from tests.visits.builders import (
    add_person,
    complete,
    inspector_member,
    plan_visit,
    setup_unit,
    start,
)

Token = Callable[..., dict[str, str]]
URL = "/api/v1/inspection-visits"


def campaign_body(**extra: Any) -> dict[str, Any]:
    today = today_china()
    return {
        "name": "春节前安全生产大检查",
        "document_number": "西安委办〔2026〕8号",
        "region_code": COUNTY,
        "sectors": ["hazchem"],
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=60)).isoformat(),
        **extra,
    }


async def test_campaign_crud_and_roles(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    u = await setup_unit(client, admin, token)
    created = await client.post("/api/v1/campaigns", json=campaign_body(), headers=u["official"])
    assert created.status_code == 201
    assert created.headers["location"].endswith(created.json()["id"])
    campaign = created.json()
    assert campaign["issuer_department_id"] == u["dept"]["id"]
    town = token("town_official", region_code="330106002")
    assert (
        await client.get(f"/api/v1/campaigns/{campaign['id']}", headers=town)
    ).status_code == 200
    elsewhere = token("town_official", region_code="330105001")
    assert (
        await client.get(f"/api/v1/campaigns/{campaign['id']}", headers=elsewhere)
    ).status_code == 404
    staff = token("enterprise_user", enterprise_id=u["ent"]["id"])
    assert (
        await client.post("/api/v1/campaigns", json=campaign_body(), headers=staff)
    ).status_code == 403
    assert (
        await client.post(
            "/api/v1/campaigns", json=campaign_body(region_code=OTHER_COUNTY), headers=u["official"]
        )
    ).status_code == 404
    reversed_ = await client.post(
        "/api/v1/campaigns", json=campaign_body(ends_on="2020-01-01"), headers=u["official"]
    )
    assert reversed_.status_code == 422
    url = f"/api/v1/campaigns/{campaign['id']}"
    ok = await client.patch(
        url, json={"name": "节前大检查"}, headers={**u["official"], "If-Match": '"1"'}
    )
    assert ok.status_code == 200
    stale = await client.patch(
        url, json={"name": "x"}, headers={**u["official"], "If-Match": '"1"'}
    )
    assert stale.status_code == 412


async def test_campaign_progress(client: AsyncClient, admin: dict[str, str], token: Token) -> None:
    u = await setup_unit(client, admin, token)
    official = u["official"]
    await create_enterprise(client, admin)  # in scope, not visited
    await create_enterprise(client, admin, sectors=["fire"])  # another sector
    campaign = (
        await client.post("/api/v1/campaigns", json=campaign_body(), headers=official)
    ).json()
    visit = await plan_visit(
        client, official, u["ent"]["id"], type="special_campaign", campaign_id=campaign["id"]
    )
    await plan_visit(
        client, official, u["ent"]["id"], type="special_campaign", campaign_id=campaign["id"]
    )
    await start(client, official, visit["id"])
    template = (
        await client.get(
            f"/api/v1/checklist-templates/{visit['checklist_template_id']}", headers=official
        )
    ).json()
    item = template["items"][0]["id"]
    raised = await client.put(
        f"{URL}/{visit['id']}/results/{item}",
        json={"result": "fail", "raise_hazard": True},
        headers=official,
    )
    assert raised.status_code == 200
    await complete(client, official, visit["id"])
    progress = await client.get(f"/api/v1/campaigns/{campaign['id']}/progress", headers=official)
    assert progress.status_code == 200
    assert progress.json() == {
        "campaign_id": campaign["id"],
        "enterprises_in_scope": 2,
        "enterprises_visited": 1,
        "visits_planned": 1,
        "visits_completed": 1,
        "hazards_found": 1,
        "hazards_rectified": 0,
        "hazards_overdue": 0,
        "rectification_rate": 0.0,
    }
    listed = (
        await client.get(URL, params={"campaign_id": campaign["id"]}, headers=official)
    ).json()
    assert len(listed["items"]) == 2


async def test_coverage_red_first(client: AsyncClient, admin: dict[str, str], token: Token) -> None:
    u = await setup_unit(client, admin, token, risk_grade="orange")
    official = u["official"]
    red = await create_enterprise(client, admin, risk_grade="red")
    blue = await create_enterprise(client, admin, risk_grade="blue")
    await create_enterprise(client, admin, risk_grade="red", sectors=["fire"])  # not in scope
    visit = await plan_visit(client, official, u["ent"]["id"])
    await start(client, official, visit["id"])
    today = today_china()
    params = {"from": (today - timedelta(days=7)).isoformat(), "to": today.isoformat()}
    response = await client.get(f"{URL}/coverage", params=params, headers=official)
    assert response.status_code == 200, response.text
    ids = [e["enterprise_id"] for e in response.json()["items"]]
    assert ids == [red["id"], blue["id"]]
    earlier = {
        "from": (today - timedelta(days=30)).isoformat(),
        "to": (today - timedelta(days=8)).isoformat(),
    }
    before = await client.get(f"{URL}/coverage", params=earlier, headers=official)
    assert [e["enterprise_id"] for e in before.json()["items"]] == [
        red["id"],
        u["ent"]["id"],
        blue["id"],
    ]
    paged = await client.get(f"{URL}/coverage", params={**earlier, "limit": 2}, headers=official)
    rest = await client.get(
        f"{URL}/coverage",
        params={**earlier, "limit": 2, "cursor": paged.json()["next_cursor"]},
        headers=official,
    )
    assert [e["enterprise_id"] for e in rest.json()["items"]] == [blue["id"]]
    fire = await client.get(
        f"{URL}/coverage", params={**params, "sector": "fire"}, headers=official
    )
    assert fire.json()["items"] == []
    bad = await client.get(
        f"{URL}/coverage", params={"from": params["to"], "to": params["from"]}, headers=official
    )
    assert bad.status_code == 422
    assert (
        await client.get(f"{URL}/coverage", params={**params, "x": "1"}, headers=official)
    ).status_code == 422
    assert (await client.get(f"{URL}/coverage", params=params)).status_code == 401
    staff = token("enterprise_user", enterprise_id=blue["id"])
    mine = await client.get(f"{URL}/coverage", params=params, headers=staff)
    assert [e["enterprise_id"] for e in mine.json()["items"]] == [blue["id"]]


async def test_calendar_by_unit_and_inspector(
    client: AsyncClient, admin: dict[str, str], token: Token, connection: AsyncConnection
) -> None:
    u = await setup_unit(client, admin, token)
    person = await add_person(connection, subject="calendar-inspector")
    a = await plan_visit(
        client,
        u["official"],
        u["ent"]["id"],
        planned_on="2026-12-03",
        members=[inspector_member("王检查", person)],
    )
    b = await plan_visit(client, u["official"], u["ent"]["id"], planned_on="2026-12-01")
    await plan_visit(client, u["official"], u["ent"]["id"], planned_on="2027-02-01")
    params = {"from": "2026-12-01", "to": "2026-12-31", "unit": u["dept"]["id"]}
    cal = (await client.get(f"{URL}/calendar", params=params, headers=u["official"])).json()
    assert [d["date"] for d in cal["days"]] == ["2026-12-01", "2026-12-03"]
    assert cal["days"][0]["visits"][0]["id"] == b["id"]
    mine = (
        await client.get(
            f"{URL}/calendar",
            params={"from": "2026-12-01", "to": "2026-12-31", "inspector": str(person)},
            headers=u["official"],
        )
    ).json()
    assert [v["id"] for d in mine["days"] for v in d["visits"]] == [a["id"]]
    too_long = await client.get(
        f"{URL}/calendar", params={"from": "2026-01-01", "to": "2027-12-31"}, headers=u["official"]
    )
    assert too_long.status_code == 422


async def test_checklist_templates(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    u = await setup_unit(client, admin, token)
    seeded = (
        await client.get(
            "/api/v1/checklist-templates", params={"sector": "school"}, headers=u["official"]
        )
    ).json()["items"]
    assert len(seeded) == 1
    assert {"SCH-01", "SCH-03", "SCH-05"} <= {i["code"] for i in seeded[0]["items"]}
    every = (
        await client.get(
            "/api/v1/checklist-templates", params={"limit": 200}, headers=u["official"]
        )
    ).json()["items"]
    assert len({t["sector"] for t in every}) == 10
    body = {
        "code": "hazchem-basic",
        "sector": "hazchem",
        "title": "危化品检查表（2027版）",
        "items": [
            {
                "code": "HAZ-01",
                "text": "主要负责人考核合格",
                "criteria_clause_code": "hazchem-2017-01",
            }
        ],
    }
    inspector = token("inspector", department_id=u["dept"]["id"])
    assert (
        await client.post("/api/v1/checklist-templates", json=body, headers=inspector)
    ).status_code == 403
    unknown = await client.post(
        "/api/v1/checklist-templates",
        json={**body, "items": [{"code": "X", "text": "x", "criteria_clause_code": "nope"}]},
        headers=u["official"],
    )
    assert unknown.status_code == 422
    created = await client.post("/api/v1/checklist-templates", json=body, headers=u["official"])
    assert created.status_code == 201, created.text
    assert created.json()["edition"] == 2
    current = (
        await client.get(
            "/api/v1/checklist-templates", params={"code": "hazchem-basic"}, headers=u["official"]
        )
    ).json()["items"]
    assert [t["edition"] for t in current] == [2]
    old = (
        await client.get(
            "/api/v1/checklist-templates",
            params={"code": "hazchem-basic", "current": "false"},
            headers=u["official"],
        )
    ).json()["items"]
    assert [t["edition"] for t in old] == [1]
    visit = await plan_visit(client, u["official"], u["ent"]["id"])
    assert visit["checklist_template_id"] == created.json()["id"]
    assert (
        await client.get("/api/v1/checklist-templates", headers=token("expert"))
    ).status_code == 200
