"""Inspection statistics through HTTP (visits written straight to the table)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from httpx import AsyncClient
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.ids import new_id
from app.models.hazard import Hazard
from app.models.visit import InspectionVisit
from tests.factories import COUNTY, TOWN, TOWN_2, create_enterprise
from tests.hazards.builders import World

URL = "/api/v1/statistics/inspections"


async def _visit(connection: AsyncConnection, ent: dict[str, Any], **values: Any) -> str:
    visit_id = new_id()
    now = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    row = {
        "id": visit_id,
        "type": "departmental",
        "status": "completed",
        "enterprise_id": ent["id"],
        "region_code": ent["region_code"],
        "sectors": ent["sectors"],
        "planned_on": now.date(),
        "participating_department_ids": [],
        "created_by": "test",
        "completed_at": now,
        "version": 1,
        **values,
    }
    await connection.execute(insert(InspectionVisit).values(**row))
    return str(visit_id)


async def test_inspection_figures(
    world: World,
    client: AsyncClient,
    admin: dict[str, str],
    connection: AsyncConnection,
    token: Callable[..., dict[str, str]],
) -> None:
    ent2 = await create_enterprise(client, admin, region_code=TOWN_2)
    await create_enterprise(client, admin, region_code=TOWN)  # never visited
    dept = world.department["id"]
    v1 = await _visit(connection, world.enterprise, lead_department_id=dept)
    await _visit(connection, world.enterprise, type="leader_led", leading_official="县长")
    await _visit(
        connection,
        ent2,
        lead_department_id=dept,
        completed_at=datetime(2026, 4, 1, 1, 0, tzinfo=UTC),
    )
    await _visit(connection, ent2, status="planned", completed_at=None)
    for _ in range(3):
        hz = await world.hazard()
        await connection.execute(update(Hazard).where(Hazard.id == hz["id"]).values(visit_id=v1))
    response = await client.get(
        URL,
        params={"region": COUNTY, "period_from": "2026-03", "period_to": "2026-04"},
        headers=admin,
    )
    body = response.json()
    assert body["totals"] == {
        "visits": 3,
        "leader_led": 1,
        "enterprises_visited": 2,
        "hazards_found": 3,
        "hazards_per_visit": 1.0,
    }
    assert body["enterprises_in_scope"] == 3
    assert body["visited_share"] == round(2 / 3, 4)
    by_month = (await client.get(URL, params={"group_by": "month"}, headers=admin)).json()
    assert {g["key"]: g["visits"] for g in by_month["groups"]} == {"2026-03": 2, "2026-04": 1}
    by_type = (
        await client.get(
            URL, params={"group_by": "type"}, headers={**admin, "Accept-Language": "zh-CN"}
        )
    ).json()
    assert {g["key"]: g["visits"] for g in by_type["groups"]} == {
        "departmental": 2,
        "leader_led": 1,
    }
    by_dept = (await client.get(URL, params={"group_by": "department"}, headers=admin)).json()
    named = {g["label"]: g["hazards_found"] for g in by_dept["groups"]}
    assert named[world.department["name"]] == 3
    march = (
        await client.get(
            URL,
            params={"period_to": "2026-03", "group_by": "region", "region": COUNTY},
            headers=admin,
        )
    ).json()
    assert [(g["key"], g["visits"]) for g in march["groups"]] == [(TOWN, 2)]
    town2 = token("town_official", region_code=TOWN_2)
    scoped = (await client.get(URL, headers=town2)).json()
    assert (scoped["totals"]["visits"], scoped["enterprises_in_scope"]) == (1, 1)
    table = await client.get(URL, params={"group_by": "type", "format": "csv"}, headers=admin)
    assert table.content.decode("utf-8-sig").splitlines()[0].startswith("Group (code),Group")
    assert (await client.get(URL)).status_code == 401
    own = token("enterprise_user", enterprise_id=ent2["id"])
    assert (await client.get(URL, headers=own)).status_code == 403
    assert (await client.get(URL, params={"group_by": "colour"}, headers=admin)).status_code == 422
