"""Responsibility statistics: required visits done versus due."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.clock import utcnow
from tests.factories import COUNTY, TOWN, TOWN_2, create_department, create_enterprise
from tests.responsibility.builders import assign, official, visit

URL = "/api/v1/statistics/responsibility"


async def test_visits_done_versus_due(
    client: AsyncClient,
    admin: dict[str, str],
    connection: AsyncConnection,
    token: Callable[..., dict[str, str]],
) -> None:
    dept = await create_department(client, admin, sectors=["hazchem"])
    ent = await create_enterprise(client, admin, region_code=TOWN)
    ent2 = await create_enterprise(client, admin, region_code=TOWN_2)
    leader = await official(client, admin, dept["id"], "周书记")
    other = await official(client, admin, dept["id"], "李县长")
    now = utcnow()
    await assign(
        client,
        admin,
        "leader_liaison",
        holder_person_id=leader["id"],
        object_type="enterprise",
        object_enterprise_id=ent["id"],
        valid_from=now - timedelta(days=60),
        required_visit_days=30,
    )
    await assign(
        client,
        admin,
        "leader_liaison",
        holder_person_id=other["id"],
        object_type="enterprise",
        object_enterprise_id=ent2["id"],
        valid_from=now - timedelta(days=45),
        required_visit_days=15,
    )
    await visit(connection, ent, leader["id"], now - timedelta(days=50))
    await visit(connection, ent, leader["id"], now - timedelta(days=20))
    await visit(connection, ent, leader["id"], now - timedelta(days=10))  # one more than due
    await visit(connection, ent, other["id"], now - timedelta(days=5))  # not his unit
    await visit(connection, ent2, other["id"], now - timedelta(days=70))  # before his term
    month = (now - timedelta(days=80)).strftime("%Y-%m")
    body = (
        await client.get(URL, params={"region": COUNTY, "period_from": month}, headers=admin)
    ).json()
    assert body["totals"] == {
        "assignments": 2,
        "visits_due": 5,
        "visits_done": 2,
        "visits_made": 3,
        "completion_rate": 0.4,
    }
    by_region = (
        await client.get(
            URL,
            params={"region": COUNTY, "period_from": month, "group_by": "region"},
            headers=admin,
        )
    ).json()
    assert {g["key"]: (g["visits_due"], g["visits_done"]) for g in by_region["groups"]} == {
        TOWN: (2, 2),
        TOWN_2: (3, 0),
    }
    by_kind = (
        await client.get(
            URL,
            params={"period_from": month, "group_by": "kind"},
            headers={**admin, "Accept-Language": "zh-CN"},
        )
    ).json()
    assert [g["key"] for g in by_kind["groups"]] == ["leader_liaison"]
    town = token("town_official", region_code=TOWN_2)
    scoped = (await client.get(URL, params={"period_from": month}, headers=town)).json()
    assert scoped["totals"]["visits_due"] == 3
    csv = await client.get(
        URL, params={"period_from": month, "group_by": "kind", "format": "csv"}, headers=admin
    )
    assert csv.headers["content-type"].startswith("text/csv")
    assert (await client.get(URL)).status_code == 401
    own = token("enterprise_user", enterprise_id=ent["id"])
    assert (await client.get(URL, headers=own)).status_code == 403
    future = await client.get(URL, params={"period_from": "2099-01"}, headers=admin)
    assert future.status_code == 422
