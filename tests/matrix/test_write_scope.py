"""Write scope in the access matrix: per sector and per neighbouring region.

A role bound to sectors or to a region may not create or move anything outside them, even when
it may write that kind of thing: the answer is 404 ``out_of_scope`` (never reveal more), and
nothing is written. The neighbours are chosen on the edge of the region ranges the scope
predicates use (``code <= column < next code``): the town after the caller's town
(330106004 西溪 → 330106005 翠苑) and the county after the caller's county (330105 拱墅 →
330106 西湖), so an off-by-one in a range shows up as a row seen or written across the border.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from httpx import AsyncClient

from tests.api_keys.builders import create_api_key, key_header
from tests.factories import (
    COUNTY,
    OTHER_COUNTY,
    TOWN,
    TOWN_2,
    create_department,
    create_enterprise,
    make_uscc,
)
from tests.people.builders import create_person

NEXT_TOWN = "330106005"  # 翠苑街道: the code right after TOWN_2 (330106004)
E, RA = "/api/v1/enterprises", "/api/v1/responsibility-assignments"
Headers = dict[str, str]


async def _callers(
    client: AsyncClient, admin: Headers, token: Callable[..., Headers]
) -> dict[str, Headers]:
    """Sector-bound callers (hazchem, industry_trade) of the county, and a town's official."""
    dept = await create_department(client, admin, sectors=["hazchem", "industry_trade"])
    key = await create_api_key(
        client, admin, region_code=COUNTY, sectors=["hazchem"], read_only=False
    )
    return {
        "department_official": token("department_official", department_id=dept["id"]),
        "system_read_write": key_header(key),
        "town_official": token("town_official", region_code=TOWN_2),
        "committee_office": token("committee_office", region_code=COUNTY),
    }


def _refused(response: Any) -> None:
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "out_of_scope", response.text


@pytest.mark.parametrize("role", ["department_official", "system_read_write"])
async def test_sector_bound_roles_write_only_their_sectors(
    client: AsyncClient, admin: Headers, token: Callable[..., Headers], role: str
) -> None:
    headers = (await _callers(client, admin, token))[role]
    body = {"uscc": make_uscc(), "name": "新登记单位", "region_code": TOWN}
    # create: in its sector yes, in another sector no
    own = await client.post(E, json={**body, "sectors": ["hazchem"]}, headers=headers)
    assert own.status_code == 201, own.text
    _refused(
        await client.post(
            E, json={**body, "uscc": make_uscc(), "sectors": ["fire"]}, headers=headers
        )
    )
    # move: its own enterprise into another sector only, no; adding a sector it keeps, yes
    url = f"{E}/{own.json()['id']}"
    _refused(await client.patch(url, json={"sectors": ["fire"]}, headers=headers))
    widened = await client.patch(url, json={"sectors": ["hazchem", "fire"]}, headers=headers)
    assert widened.status_code == 200, widened.text
    # responsibility for a unit of another sector: no (the unit is written to, not read)
    other = await create_enterprise(client, admin, sectors=["fire"])
    holder = await create_person(client, admin, enterprise_id=other["id"])
    assignment = {
        "kind": "enterprise_safety_manager",
        "holder_person_id": holder["id"],
        "object_type": "enterprise",
        "object_enterprise_id": other["id"],
    }
    # an unseen unit named in a body is an unknown reference (docs/identity.md)
    refused = await client.post(RA, json=assignment, headers=headers)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "reference_not_found"
    named = {tuple(error["loc"]) for error in refused.json()["errors"]}
    assert ("body", "object_enterprise_id") in named
    listed = await client.get(E, params={"sector": "fire", "limit": 200}, headers=headers)
    assert listed.status_code == 200
    # only the widened unit (it keeps hazchem): nothing of fire alone was written or shown
    assert [e["id"] for e in listed.json()["items"]] == [own.json()["id"]]
    everything = await client.get(E, params={"q": "新登记单位"}, headers=admin)
    assert [e["sectors"] for e in everything.json()["items"]] == [["hazchem", "fire"]]


@pytest.mark.parametrize(
    ("role", "home", "neighbour"),
    [
        ("town_official", TOWN_2, NEXT_TOWN),
        ("committee_office", TOWN, "330105001"),
        ("department_official", TOWN, "330105001"),
    ],
)
async def test_region_bound_roles_write_only_their_region(
    client: AsyncClient,
    admin: Headers,
    token: Callable[..., Headers],
    role: str,
    home: str,
    neighbour: str,
) -> None:
    headers = (await _callers(client, admin, token))[role]
    body = {"name": "属地单位", "sectors": ["hazchem"]}
    own = await client.post(
        E, json={**body, "uscc": make_uscc(), "region_code": home}, headers=headers
    )
    assert own.status_code == 201, own.text
    _refused(
        await client.post(
            E, json={**body, "uscc": make_uscc(), "region_code": neighbour}, headers=headers
        )
    )
    moved = await client.patch(
        f"{E}/{own.json()['id']}", json={"region_code": neighbour}, headers=headers
    )
    _refused(moved)
    unchanged = await client.get(f"{E}/{own.json()['id']}", headers=admin)
    assert unchanged.json()["region_code"] == home


async def test_neighbouring_town_is_outside_a_town_officials_scope(
    client: AsyncClient, admin: Headers, token: Callable[..., Headers]
) -> None:
    """Reads: the next town's code is the exclusive end of the town's range."""
    inside = await create_enterprise(client, admin, region_code=TOWN_2)
    beyond = await create_enterprise(client, admin, region_code=NEXT_TOWN)
    town = token("town_official", region_code=TOWN_2)
    listed = await client.get(E, params={"limit": 200}, headers=town)
    ids = {e["id"] for e in listed.json()["items"]}
    assert inside["id"] in ids
    assert beyond["id"] not in ids
    assert (await client.get(f"{E}/{beyond['id']}", headers=town)).status_code == 404
    next_town = token("town_official", region_code=NEXT_TOWN)
    assert (await client.get(f"{E}/{inside['id']}", headers=next_town)).status_code == 404
    assert (await client.get(f"{E}/{beyond['id']}", headers=next_town)).status_code == 200


async def test_neighbouring_county_level_rows_are_outside_a_county_scope(
    client: AsyncClient, admin: Headers, token: Callable[..., Headers]
) -> None:
    """A department registered at county level (330106) sits exactly on the end of the range
    of the county before it (330105): the office of 330105 must not see it."""
    here = await create_department(client, admin, region_code=COUNTY)
    there = await create_department(client, admin, region_code=OTHER_COUNTY)
    office = token("committee_office", region_code=OTHER_COUNTY)
    listed = await client.get("/api/v1/departments", params={"limit": 200}, headers=office)
    ids = {d["id"] for d in listed.json()["items"]}
    assert there["id"] in ids
    assert here["id"] not in ids
    assert (
        await client.get(f"/api/v1/departments/{here['id']}", headers=office)
    ).status_code == 404
