"""Delta sync follows views (docs/sync.md): rows that leave the caller's scope or the filters
bound to the cursor come back as removals, rows that enter are delivered, and a caller whose
own scope changed is told to resync (410). After every step, a follower's copy equals the list
it would get now."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from httpx import AsyncClient

from tests.factories import COUNTY, OTHER_COUNTY, OTHER_TOWN, create_department, create_enterprise
from tests.hazards.builders import hazard_body

Headers = dict[str, str]


def _stable(item: dict[str, Any]) -> dict[str, Any]:
    """An item without what a read itself changes (an API key's last use)."""
    return {k: v for k, v in item.items() if k != "last_used_at"}


class Copy:
    """A client's offline copy of one list, kept by delta sync as docs/sync.md says."""

    def __init__(self, client: AsyncClient, path: str, headers: Headers, **filters: Any) -> None:
        self.client, self.path, self.headers, self.filters = client, path, headers, filters
        self.cursor = "0"
        self.rows: dict[str, dict[str, Any]] = {}
        self.removed: list[dict[str, str]] = []

    async def sync(self) -> None:
        while True:
            params = {**self.filters, "changed_since": self.cursor, "limit": 50}
            r = await self.client.get(self.path, params=params, headers=self.headers)
            assert r.status_code == 200, r.text
            body = r.json()
            for item in body["items"]:
                if item.get("deleted_at"):
                    self.rows.pop(item["id"], None)
                else:
                    self.rows[item["id"]] = item
            for gone in body["removed"]:
                self.rows.pop(gone["id"], None)
            self.removed += body["removed"]
            self.cursor = body["next_cursor"]
            if not body["items"] and not body["removed"]:
                return

    async def equals_list(self) -> None:
        """The copy holds exactly the rows a plain list returns now, as it returns them."""
        listed: dict[str, Any] = {}
        cursor = None
        while True:
            params: dict[str, Any] = {**self.filters, "limit": 200}
            if cursor:
                params["cursor"] = cursor
            r = await self.client.get(self.path, params=params, headers=self.headers)
            assert r.status_code == 200, r.text
            listed |= {i["id"]: _stable(i) for i in r.json()["items"]}
            cursor = r.json()["next_cursor"]
            if not cursor:
                break
        assert {k: _stable(v) for k, v in self.rows.items()} == listed


async def inspector_of(
    client: AsyncClient,
    token: Callable[..., Headers],
    admin: Headers,
    region: str,
    sectors: list[str],
) -> tuple[Headers, dict[str, Any]]:
    dept = await create_department(client, admin, region_code=region, sectors=sectors)
    return token("inspector", department_id=dept["id"]), dept


async def test_an_enterprise_that_moves_leaves_one_copy_and_enters_another(
    client: AsyncClient, token: Callable[..., Headers], admin: Headers
) -> None:
    here, _ = await inspector_of(client, token, admin, COUNTY, ["hazchem"])
    there, _ = await inspector_of(client, token, admin, OTHER_COUNTY, ["hazchem"])
    moving = await create_enterprise(client, admin)
    staying = await create_enterprise(client, admin)
    mine, theirs = (Copy(client, "/api/v1/enterprises", h) for h in (here, there))
    await mine.sync()
    await theirs.sync()
    assert moving["id"] in mine.rows
    assert moving["id"] not in theirs.rows

    r = await client.patch(
        f"/api/v1/enterprises/{moving['id']}", json={"region_code": OTHER_TOWN}, headers=admin
    )
    assert r.status_code == 200, r.text
    await mine.sync()
    await theirs.sync()
    assert {"id": moving["id"], "reason": "out_of_scope"} in mine.removed
    assert moving["id"] not in mine.rows
    assert staying["id"] in mine.rows
    assert theirs.rows[moving["id"]]["region_code"] == OTHER_TOWN  # entered: delivered
    get = await client.get(f"/api/v1/enterprises/{moving['id']}", headers=here)
    assert get.status_code == 404
    await mine.equals_list()
    await theirs.equals_list()
    # a removal is only for those who could see the row: no id leaks to a third county
    third, _ = await inspector_of(client, token, admin, "330108", ["hazchem"])
    other = Copy(client, "/api/v1/enterprises", third)
    await other.sync()
    assert all(g["id"] != moving["id"] for g in other.removed)


async def test_sectors_that_change_away_remove_the_enterprise(
    client: AsyncClient, token: Callable[..., Headers], admin: Headers
) -> None:
    hazchem, _ = await inspector_of(client, token, admin, COUNTY, ["hazchem"])
    gas, _ = await inspector_of(client, token, admin, COUNTY, ["gas"])
    ent = await create_enterprise(client, admin)
    hazchem_copy, gas_copy = (Copy(client, "/api/v1/enterprises", h) for h in (hazchem, gas))
    await hazchem_copy.sync()
    await gas_copy.sync()
    r = await client.patch(
        f"/api/v1/enterprises/{ent['id']}", json={"sectors": ["gas"]}, headers=admin
    )
    assert r.status_code == 200, r.text
    await hazchem_copy.sync()
    await gas_copy.sync()
    assert {"id": ent["id"], "reason": "out_of_scope"} in hazchem_copy.removed
    assert ent["id"] in gas_copy.rows
    await hazchem_copy.equals_list()
    await gas_copy.equals_list()


async def test_a_row_that_leaves_the_bound_filter_is_removed(
    client: AsyncClient, token: Callable[..., Headers], admin: Headers
) -> None:
    inspector, _ = await inspector_of(client, token, admin, COUNTY, ["hazchem"])
    ent = await create_enterprise(client, admin)
    made = await client.post("/api/v1/hazards", json=hazard_body(ent["id"]), headers=admin)
    assert made.status_code == 201, made.text
    hazard = made.json()
    reported = Copy(client, "/api/v1/hazards", inspector, status="reported")
    await reported.sync()
    assert hazard["id"] in reported.rows
    r = await client.post(
        f"/api/v1/hazards/{hazard['id']}/cancel", json={"reason": "重复上报"}, headers=admin
    )
    assert r.status_code == 200, r.text
    stale = reported.cursor
    await reported.sync()
    assert {"id": hazard["id"], "reason": "filtered_out"} in reported.removed
    await reported.equals_list()
    # the filters are bound to the cursor: another filter with it is refused
    other = await client.get(
        "/api/v1/hazards",
        params={"changed_since": stale, "status": "cancelled"},
        headers=inspector,
    )
    assert other.status_code == 400
    assert other.json()["code"] == "sync_filters_changed"


async def test_a_callers_scope_change_invalidates_the_cursor(
    client: AsyncClient, token: Callable[..., Headers], admin: Headers
) -> None:
    inspector, dept = await inspector_of(client, token, admin, COUNTY, ["hazchem"])
    gas_ent = await create_enterprise(client, admin, sectors=["gas"])
    copy = Copy(client, "/api/v1/enterprises", inspector)
    await copy.sync()
    assert gas_ent["id"] not in copy.rows
    r = await client.patch(
        f"/api/v1/departments/{dept['id']}", json={"sectors": ["hazchem", "gas"]}, headers=admin
    )
    assert r.status_code == 200, r.text
    # a new token for the same department (the principal cache keys on the token)
    copy.headers = token("inspector", department_id=dept["id"])
    gone = await client.get(
        "/api/v1/enterprises", params={"changed_since": copy.cursor}, headers=copy.headers
    )
    assert gone.status_code == 410
    assert gone.json()["code"] == "sync_scope_changed"
    copy.cursor, copy.rows = "0", {}
    await copy.sync()
    assert gas_ent["id"] in copy.rows  # what entered the view with the new scope is there
    await copy.equals_list()


async def test_a_hazard_stays_in_the_territory_where_it_was_found(
    client: AsyncClient, token: Callable[..., Headers], admin: Headers
) -> None:
    here, _ = await inspector_of(client, token, admin, COUNTY, ["hazchem"])
    there, _ = await inspector_of(client, token, admin, OTHER_COUNTY, ["hazchem"])
    ent = await create_enterprise(client, admin)
    made = await client.post("/api/v1/hazards", json=hazard_body(ent["id"]), headers=admin)
    assert made.status_code == 201, made.text
    hazard = made.json()
    mine, theirs = (Copy(client, "/api/v1/hazards", h) for h in (here, there))
    await mine.sync()
    await theirs.sync()
    r = await client.patch(
        f"/api/v1/enterprises/{ent['id']}", json={"region_code": OTHER_TOWN}, headers=admin
    )
    assert r.status_code == 200, r.text
    await mine.sync()
    await theirs.sync()
    assert hazard["id"] in mine.rows
    assert mine.removed == []
    assert hazard["id"] not in theirs.rows
    assert (await client.get(f"/api/v1/hazards/{hazard['id']}", headers=here)).status_code == 200
    await mine.equals_list()
    await theirs.equals_list()
