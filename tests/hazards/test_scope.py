"""Scope per role: out of scope is 404 (never revealed), a missing permission is 403."""

from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.factories import COUNTY, OTHER_COUNTY, TOWN, TOWN_2, create_department, create_enterprise
from tests.hazards.builders import World, add_person, order_body


async def _visible(client: AsyncClient, headers: dict[str, str], hazard_id: str) -> bool:
    got = await client.get(f"/api/v1/hazards/{hazard_id}", headers=headers)
    assert got.status_code in (200, 404), got.text
    listed = await client.get("/api/v1/hazards", headers=headers, params={"limit": 200})
    assert listed.status_code == 200, listed.text
    in_list = hazard_id in {h["id"] for h in listed.json()["items"]}
    assert in_list == (got.status_code == 200)
    return got.status_code == 200


async def test_enterprise_user_sees_only_its_own(world: World) -> None:
    hz = await world.rectifying()
    other_ent = await create_enterprise(world.client, world.admin)
    other_user = world.token("enterprise_user", enterprise_id=other_ent["id"])
    assert await _visible(world.client, world.enterprise_user, hz["id"])
    assert not await _visible(world.client, other_user, hz["id"])
    for path in ("events", "deadlines"):
        r = await world.client.get(f"/api/v1/hazards/{hz['id']}/{path}", headers=other_user)
        assert r.status_code == 404
    r = await world.act(hz, "report-progress", {"comment": "x"}, other_user)
    assert r.status_code == 404
    assert r.json()["code"] == "hazard_not_found"
    # nor can it report a hazard at another enterprise
    r = await world.client.post(
        "/api/v1/hazards",
        json={
            "enterprise_id": other_ent["id"],
            "title": "x",
            "sector": "hazchem",
            "category": "unsafe_act",
            "source": "self_inspection",
        },
        headers=world.enterprise_user,
    )
    assert r.status_code == 422
    assert r.json()["code"] == "reference_not_found"
    # and only enterprise actions on its own hazards
    r = await world.act(
        hz,
        "escalate",
        {
            "measure": "fine",
            "grounds": "refused",
            "document_number": "x",
            "reason": "x",
            "fine_amount": "1",
        },
        world.enterprise_user,
    )
    assert r.status_code == 403
    assert r.json()["code"] == "hazard_action_not_for_enterprise"


async def test_department_of_another_sector_or_county(world: World) -> None:
    hz = await world.hazard()
    fire = await create_department(world.client, world.admin, sectors=["fire"])
    fire_official = world.token("department_official", department_id=fire["id"])
    assert not await _visible(world.client, fire_official, hz["id"])
    r = await world.act(
        hz, "register", {"level": "general", "treatment_type": "immediate"}, fire_official
    )
    assert r.status_code == 404
    far = await create_department(world.client, world.admin, region_code=OTHER_COUNTY)
    far_official = world.token("department_official", department_id=far["id"])
    assert not await _visible(world.client, far_official, hz["id"])
    assert await _visible(world.client, world.dept, hz["id"])
    # a fire hazard at a hazchem enterprise is visible to the fire department (hazard sector)
    fire_hz = await world.hazard(sector="fire")
    assert await _visible(world.client, fire_official, fire_hz["id"])


async def test_town_officials(world: World) -> None:
    hz = await world.hazard()  # the enterprise is in TOWN
    other_town = world.token("town_official", region_code=TOWN_2)
    assert not await _visible(world.client, other_town, hz["id"])
    r = await world.act(hz, "cancel", {"reason": "x"}, other_town)
    assert r.status_code == 404
    own_town = world.token("town_official", region_code=TOWN)
    assert await _visible(world.client, own_town, hz["id"])
    county_office = world.token("committee_office", region_code=COUNTY)
    assert await _visible(world.client, county_office, hz["id"])


async def test_experts_see_only_assigned(world: World, connection: AsyncConnection) -> None:
    hz = await world.rectifying()
    other = await world.rectifying()
    person = await add_person(connection, subject="expert-zhao")
    expert = world.token("expert", sub="expert-zhao")
    assert not await _visible(world.client, expert, hz["id"])
    r = await world.act(hz, "assign-experts", {"expert_ids": [str(world.ent_id)]}, world.dept)
    assert r.status_code == 422
    assert r.json()["code"] == "reference_not_found"
    await world.ok(hz, "assign-experts", {"expert_ids": [str(person)]}, world.dept)
    assert await _visible(world.client, expert, hz["id"])
    assert not await _visible(world.client, expert, other["id"])
    r = await world.act(hz, "report-progress", {"comment": "x"}, expert)
    assert r.status_code == 403
    assert r.json()["code"] == "hazard_action_not_for_expert"
    r = await world.client.post(
        "/api/v1/hazards",
        json={
            "enterprise_id": world.ent_id,
            "title": "x",
            "sector": "hazchem",
            "category": "unsafe_act",
            "source": "other",
        },
        headers=expert,
    )
    assert r.status_code == 403


async def test_unauthenticated_and_phone_masking(world: World) -> None:
    hz = await world.registered()
    assert (await world.client.get(f"/api/v1/hazards/{hz['id']}")).status_code == 401
    assert (
        await world.client.post(f"/api/v1/hazards/{hz['id']}/cancel", json={"reason": "x"})
    ).status_code == 401
    await world.ok(hz, "order-rectification", order_body(), world.dept)
    full = await world.client.get(f"/api/v1/hazards/{hz['id']}", headers=world.dept)
    assert full.json()["responsible_person"]["phone"] == "13812345678"
    masked = await world.client.get(f"/api/v1/hazards/{hz['id']}", headers=world.enterprise_user)
    assert masked.json()["responsible_person"]["phone"] == "138****5678"
