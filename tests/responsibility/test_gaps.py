"""GET /responsibility-gaps: every gap kind, and scope by role."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.clock import utcnow
from tests.factories import OTHER_COUNTY, OTHER_TOWN, create_department, create_enterprise
from tests.responsibility.builders import assign, hazard, official, staff, visit

Token = Callable[..., dict[str, str]]
GAPS = "/api/v1/responsibility-gaps"


def _ids(items: list[dict[str, Any]], key: str = "enterprise_id") -> set[str]:
    return {str(i[key]) for i in items}


async def test_every_gap_kind(
    client: AsyncClient, admin: dict[str, str], connection: AsyncConnection, token: Token
) -> None:
    # Everything in 330105 (拱墅区) so other tests' data in 330106 does not interfere.
    emergency = await create_department(
        client, admin, region_code=OTHER_COUNTY, sectors=["hazchem"]
    )
    red = await create_enterprise(client, admin, region_code=OTHER_TOWN, risk_grade="red")
    covered = await create_enterprise(client, admin, region_code=OTHER_TOWN, risk_grade="red")
    fireworks = await create_enterprise(
        client, admin, region_code=OTHER_TOWN, sectors=["fireworks"]
    )
    leader = await official(client, admin, emergency["id"], "吴区长")
    boss = await staff(client, admin, covered["id"])
    now = utcnow()
    await assign(
        client,
        admin,
        "leader_liaison",
        holder_person_id=leader["id"],
        object_type="enterprise",
        object_enterprise_id=covered["id"],
        valid_from=now - timedelta(days=120),
        required_visit_days=90,
    )
    expiring = await assign(
        client,
        admin,
        "enterprise_main_responsible",
        holder_person_id=boss["id"],
        object_type="enterprise",
        object_enterprise_id=covered["id"],
        valid_to=now + timedelta(days=10),
    )
    major = await hazard(connection, red)
    led = await hazard(connection, covered)
    await hazard(connection, covered, level="general")
    await hazard(connection, covered, status="closed")
    await assign(
        client,
        admin,
        "leader_liaison",
        holder_person_id=leader["id"],
        object_type="hazard",
        object_hazard_id=str(led),
        valid_from=now - timedelta(days=5),
    )

    response = await client.get(GAPS, headers=admin, params={"region": OTHER_COUNTY})
    assert response.status_code == 200, response.text
    gaps = response.json()
    assert _ids(gaps["major_hazards_without_leader"], "hazard_id") == {str(major)}
    assert _ids(gaps["red_enterprises_without_leader"]) == {red["id"]}
    assert _ids(gaps["enterprises_without_main_responsible"]) == {red["id"], fireworks["id"]}
    assert [
        (g["region_code"], g["sector"], g["enterprise_count"])
        for g in gaps["sectors_without_supervision"]
    ] == [(OTHER_TOWN, "fireworks", 1)]
    assert [a["id"] for a in gaps["expiring_assignments"]] == [expiring["id"]]
    missed = gaps["visit_frequency_missed"]
    assert [(m["enterprise_id"], m["holder_name"], m["last_visit_at"]) for m in missed] == [
        (covered["id"], "吴区长", None)
    ]

    # a visit, a successor, an explicit supervisor, a leader: the gaps close
    await visit(connection, covered, leader["id"], now - timedelta(days=1))
    successor = await staff(client, admin, covered["id"])
    await assign(
        client,
        admin,
        "enterprise_main_responsible",
        holder_person_id=successor["id"],
        object_type="enterprise",
        object_enterprise_id=covered["id"],
        valid_from=now + timedelta(days=10),
    )
    await create_department(client, admin, region_code=OTHER_COUNTY, sectors=["fireworks"])
    await assign(
        client,
        admin,
        "leader_liaison",
        holder_person_id=leader["id"],
        object_type="hazard",
        object_hazard_id=str(major),
    )
    gaps = (await client.get(GAPS, headers=admin, params={"region": OTHER_COUNTY})).json()
    assert gaps["major_hazards_without_leader"] == []
    assert gaps["sectors_without_supervision"] == []
    assert gaps["visit_frequency_missed"] == []
    assert gaps["expiring_assignments"] == []
    only = await client.get(
        GAPS,
        headers=admin,
        params={"region": OTHER_COUNTY, "kind": "red_enterprise_without_leader"},
    )
    assert _ids(only.json()["red_enterprises_without_leader"]) == {red["id"]}
    assert only.json()["enterprises_without_main_responsible"] == []

    # scope: a hazchem official of 330105 sees its enterprises, one of 330106 sees none
    local = token("department_official", department_id=emergency["id"])
    seen = (await client.get(GAPS, headers=local)).json()
    assert red["id"] in _ids(seen["red_enterprises_without_leader"])
    assert fireworks["id"] not in _ids(seen["enterprises_without_main_responsible"])
    far = await create_department(client, admin, sectors=["hazchem"])
    blind = (
        await client.get(
            GAPS,
            headers=token("department_official", department_id=far["id"]),
            params={"region": OTHER_COUNTY},
        )
    ).json()
    assert blind["red_enterprises_without_leader"] == []
    assert blind["major_hazards_without_leader"] == []
    assert (await client.get(GAPS, headers=admin, params={"bogus": "1"})).status_code == 422
    assert (await client.get(GAPS)).status_code == 401
    expert = await client.get(GAPS, headers=token("expert"))
    assert expert.status_code == 403
