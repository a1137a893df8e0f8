"""Annual assessments: weighted indicators from the data and by hand, ranking, snapshot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from httpx import AsyncClient

from app.core.clock import today_china
from tests.factories import COUNTY, OTHER_COUNTY, TOWN, TOWN_2
from tests.hazards.builders import World

URL = "/api/v1/assessments"
INDICATORS = [
    {
        "code": "rectification",
        "name_en": "Rectification rate",
        "name_zh": "隐患整改率",
        "metric": "rectification_rate",
        "weight": 40,
    },
    {
        "code": "overdue",
        "name_en": "Overdue hazards",
        "name_zh": "逾期隐患数",
        "metric": "overdue",
        "weight": 20,
        "better": "lower",
        "target": 4,
    },
    {
        "code": "major",
        "name_en": "Major hazards cleared",
        "name_zh": "重大隐患清零",
        "metric": "major_cleared_rate",
        "weight": 20,
    },
    {
        "code": "visits",
        "name_en": "Leader visits done",
        "name_zh": "包保检查完成率",
        "metric": "manual",
        "weight": 20,
        "target": 1,
    },
    {
        "code": "accident",
        "name_en": "Serious accident",
        "name_zh": "较大事故",
        "metric": "manual",
        "weight": 0,
        "veto": True,
    },
]


def body(**overrides: Any) -> dict[str, Any]:
    return {
        "year": today_china().year,
        "unit_kind": "town",
        "region_code": COUNTY,
        "title": "安全生产年度考核",
        "indicators": INDICATORS,
        **overrides,
    }


def by_unit(read: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["unit"]: r for r in read["results"]}


async def test_scores_ranking_and_snapshot(
    world: World, client: AsyncClient, token: Callable[..., dict[str, str]]
) -> None:
    office = token("committee_office", region_code=COUNTY)
    await world.rectifying()  # one open hazard in TOWN, not overdue
    hz = await world.hazard()
    await world.ok(hz, "cancel", {"reason": "重复"})
    created = await client.post(URL, json=body(), headers=office)
    assert created.status_code == 201, created.text
    a = created.json()
    assert created.headers["location"] == f"/api/v1/assessments/{a['id']}"
    assert a["status"] == "draft"
    town = by_unit(a)[TOWN]
    assert town["values"]["rectification"] == 0.0
    assert town["scores"] == {
        "rectification": 0.0,
        "overdue": 20.0,
        "major": None,  # no major hazard: not rated, its weight spread over the rated ones
        "visits": 0.0,
        "accident": 0.0,
    }
    assert town["details"]["rectification"]["numerator"] == 0
    assert town["details"]["rectification"]["denominator"] == 1
    assert town["details"]["major"]["rated"] is False
    assert town["details"]["overdue"]["effective_weight"] == 25.0
    assert town["total"] == 25.0  # 20 of the 80 rated points, scaled to 100
    # nothing found: the computed indicators are not rated (no full marks for not inspecting);
    # only the entered one counts, and it is missing
    idle = by_unit(a)[TOWN_2]
    assert idle["found"] == 0
    assert idle["scores"]["rectification"] is None
    assert idle["scores"]["overdue"] is None
    assert idle["total"] == 0.0
    assert town["rank"] == 1
    patched = await client.patch(
        f"{URL}/{a['id']}",
        headers={**office, "If-Match": '"1"'},
        json={"inputs": {TOWN_2: {"visits": 0.5}, TOWN: {"visits": 1, "accident": 1}}},
    )
    assert patched.status_code == 200, patched.text
    p = patched.json()
    assert (p["version"], by_unit(p)[TOWN_2]["total"]) == (2, 50.0)
    assert by_unit(p)[TOWN]["vetoed"] is True
    assert by_unit(p)[TOWN]["total"] == 0.0
    assert p["results"][0]["unit"] == TOWN_2
    assert p["results"][0]["rank"] == 1
    stale = await client.post(f"{URL}/{a['id']}/finalize", headers={**office, "If-Match": '"1"'})
    assert stale.status_code == 412
    final = await client.post(f"{URL}/{a['id']}/finalize", headers=office)
    assert final.status_code == 200, final.text
    frozen = final.json()
    assert frozen["status"] == "final"
    assert frozen["finalized_at"]
    # data changes after the year end do not alter the snapshot
    await world.rectifying()
    again = (await client.get(f"{URL}/{a['id']}", headers=office)).json()
    assert again["results"] == frozen["results"]
    assert again["computed_at"] == frozen["computed_at"]
    refused = await client.patch(f"{URL}/{a['id']}", json={"title": "改"}, headers=office)
    assert (refused.status_code, refused.json()["code"]) == (409, "assessment_final")
    twice = await client.post(f"{URL}/{a['id']}/finalize", headers=office)
    assert twice.status_code == 409
    listed = await client.get(URL, params={"year": today_china().year}, headers=office)
    assert [x["id"] for x in listed.json()["items"]] == [a["id"]]


async def test_departments(world: World, client: AsyncClient, admin: dict[str, str]) -> None:
    await world.rectifying()  # ordered by the world's department
    a = (
        await client.post(
            URL, json=body(unit_kind="department", indicators=INDICATORS[:2]), headers=admin
        )
    ).json()
    dept = by_unit(a)[world.department["id"]]
    assert dept["name"] == world.department["name"]
    assert dept["values"] == {"rectification": 0.0, "overdue": 0}


async def test_refusals(
    client: AsyncClient, admin: dict[str, str], token: Callable[..., dict[str, str]]
) -> None:
    office = token("committee_office", region_code=COUNTY)
    assert (await client.post(URL, json=body())).status_code == 401
    dept = token("department_official", region_code=COUNTY)
    assert (await client.post(URL, json=body(), headers=dept)).status_code == 403
    outside = await client.post(URL, json=body(region_code=OTHER_COUNTY), headers=office)
    assert outside.status_code == 404
    bad = [{**INDICATORS[1], "target": None}]
    assert (await client.post(URL, json=body(indicators=bad), headers=office)).status_code == 422
    dup = [INDICATORS[0], INDICATORS[0]]
    assert (await client.post(URL, json=body(indicators=dup), headers=office)).status_code == 422
    first = await client.post(URL, json=body(), headers=office)
    assert first.status_code == 201
    again = await client.post(URL, json=body(), headers=office)
    assert (again.status_code, again.json()["code"]) == (409, "assessment_exists")
    other = token("committee_office", region_code=OTHER_COUNTY)
    hidden = await client.get(f"{URL}/{first.json()['id']}", headers=other)
    assert hidden.status_code == 404
    own = token("enterprise_user", enterprise_id="01a226ea-345b-7348-9ac4-7d915b0fff41")
    assert (await client.get(URL, headers=own)).status_code == 403


async def test_nothing_to_rate_is_not_rated(
    world: World, client: AsyncClient, admin: dict[str, str]
) -> None:
    """A town that found nothing is not rated (no full marks for not inspecting); the town that
    found hazards and is fixing them is ranked, its score showing its inputs."""
    hz = await world.rectifying()
    await world.ok(
        hz,
        "declare-completion",
        {"note": "已整改", "attachment_ids": [await world.photo(hz["id"])]},
        world.enterprise_user,
    )
    await world.rectifying()
    a = (await client.post(URL, json=body(indicators=INDICATORS[:3]), headers=admin)).json()
    active, idle = by_unit(a)[TOWN], by_unit(a)[TOWN_2]
    assert (idle["total"], idle["rank"]) == (None, None)
    assert set(idle["scores"].values()) == {None}
    assert active["rank"] == 1
    assert a["results"][0]["unit"] == TOWN
    assert all(r["total"] is None for r in a["results"][1:])
    rect = active["details"]["rectification"]
    assert (rect["numerator"], rect["denominator"], rect["rated"]) == (0, 2, True)
    assert "closed ÷ found" in rect["formula"]
    # rectification 0/2 → 0 of 40; overdue 0 → 20 of 20; major not rated: 20 of the 60 rated
    # points, scaled to the full 80 → 26.6667
    assert active["total"] == 26.6667
