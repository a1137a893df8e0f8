"""Files of an inspection visit: uploaded to the visit, seen by whoever sees the visit."""

from __future__ import annotations

from collections.abc import Callable

from httpx import AsyncClient

from tests.factories import OTHER_TOWN
from tests.hazards.builders import PNG
from tests.visits.builders import plan_visit, setup_unit, visit_file

Token = Callable[..., dict[str, str]]


async def test_visit_files_follow_the_visit_scope(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    u = await setup_unit(client, admin, token)
    official = u["official"]
    visit = await plan_visit(client, official, u["ent"]["id"])
    photo = await visit_file(client, official, visit["id"])

    listed = await client.get(
        "/api/v1/attachments", params={"visit_id": visit["id"]}, headers=official
    )
    assert listed.status_code == 200
    assert [a["id"] for a in listed.json()["items"]] == [photo]
    content = await client.get(f"/api/v1/attachments/{photo}/content", headers=official)
    assert content.status_code == 200
    assert content.content == PNG

    outsider = token("town_official", region_code=OTHER_TOWN)
    assert (await client.get(f"/api/v1/attachments/{photo}", headers=outsider)).status_code == 404
    refused = await client.post(
        "/api/v1/attachments",
        data={"visit_id": visit["id"]},
        files={"file": ("x.png", PNG, "image/png")},
        headers=outsider,
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "reference_not_found"
    hidden = await client.get(
        "/api/v1/attachments", params={"visit_id": visit["id"]}, headers=outsider
    )
    assert hidden.status_code == 404


async def test_one_owner(client: AsyncClient, admin: dict[str, str], token: Token) -> None:
    u = await setup_unit(client, admin, token)
    visit = await plan_visit(client, u["official"], u["ent"]["id"])
    hazard = await client.post(
        "/api/v1/hazards",
        json={
            "enterprise_id": u["ent"]["id"],
            "title": "消防通道堵塞",
            "sector": "hazchem",
            "category": "unsafe_condition",
            "source": "departmental",
        },
        headers=u["official"],
    )
    assert hazard.status_code == 201, hazard.text
    both = await client.post(
        "/api/v1/attachments",
        data={"visit_id": visit["id"], "hazard_id": hazard.json()["id"]},
        files={"file": ("x.png", PNG, "image/png")},
        headers=u["official"],
    )
    assert both.status_code == 422
    assert both.json()["code"] == "attachment_one_owner"
    neither = await client.get("/api/v1/attachments", headers=u["official"])
    assert neither.status_code == 422
    twice = await client.get(
        "/api/v1/attachments",
        params={"visit_id": visit["id"], "hazard_id": hazard.json()["id"]},
        headers=u["official"],
    )
    assert twice.status_code == 422
