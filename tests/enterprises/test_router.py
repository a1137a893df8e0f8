"""Enterprise registry through HTTP."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.factories import COUNTY, OTHER_TOWN, TOWN, create_enterprise, make_uscc
from tests.uscc_reference import reference_check_character


async def test_create_read_list(client: AsyncClient, admin: dict[str, str]) -> None:
    ent = await create_enterprise(client, admin, name="西湖烟花爆竹批发站")
    got = await client.get(f"/api/v1/enterprises/{ent['id']}", headers=admin)
    assert got.status_code == 200
    assert got.headers["etag"] == '"1"'
    assert got.json()["name"] == "西湖烟花爆竹批发站"
    listed = await client.get("/api/v1/enterprises", params={"q": "烟花"}, headers=admin)
    assert [e["id"] for e in listed.json()["items"]] == [ent["id"]]


async def test_uscc_rules(client: AsyncClient, admin: dict[str, str]) -> None:
    good = make_uscc(COUNTY)
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    body: dict[str, Any] = {"name": "x", "region_code": TOWN, "sectors": ["fire"]}
    cases = {
        wrong_check: "uscc_check_character",
        good[:17]: "uscc_length",
        good[:5] + "I" + good[6:]: "uscc_charset",
    }
    unknown_county = "91999999" + good[8:17]
    cases[unknown_county + reference_check_character(unknown_county)] = "uscc_region"
    for code, rule in cases.items():
        response = await client.post(
            "/api/v1/enterprises", json={**body, "uscc": code}, headers=admin
        )
        assert response.status_code == 422, (code, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == rule
    ok = await client.post(
        "/api/v1/enterprises", json={**body, "uscc": good.lower()}, headers=admin
    )
    assert ok.status_code == 201
    assert ok.json()["uscc"] == good
    taken = await client.post("/api/v1/enterprises", json={**body, "uscc": good}, headers=admin)
    assert taken.status_code == 409
    assert taken.json()["code"] == "enterprise_uscc_taken"


async def test_stale_if_match_is_412(client: AsyncClient, admin: dict[str, str]) -> None:
    ent = await create_enterprise(client, admin)
    url = f"/api/v1/enterprises/{ent['id']}"
    first = await client.patch(
        url, json={"address": "新地址"}, headers={**admin, "If-Match": '"1"'}
    )
    assert first.status_code == 200
    assert first.json()["version"] == 2
    stale = await client.patch(
        url, json={"address": "另一地址"}, headers={**admin, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert stale.json()["code"] == "version_mismatch"


async def test_status_actions_need_reason_and_document(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    ent = await create_enterprise(client, admin)
    url = f"/api/v1/enterprises/{ent['id']}"
    missing = await client.post(f"{url}/suspend", json={"reason": "重大隐患"}, headers=admin)
    assert missing.status_code == 422
    suspended = await client.post(
        f"{url}/suspend",
        json={"reason": "重大隐患", "document_number": "西应急停字〔2026〕1号"},
        headers=admin,
    )
    assert suspended.status_code == 200
    assert suspended.json()["status"] == "suspended"
    again = await client.post(
        f"{url}/suspend", json={"reason": "x", "document_number": "y"}, headers=admin
    )
    assert again.status_code == 409
    assert again.json()["code"] == "enterprise_status_transition"
    patched = await client.patch(url, json={"status": "operating"}, headers=admin)
    assert patched.status_code == 422


async def test_three_pages_stable_order(client: AsyncClient, admin: dict[str, str]) -> None:
    ids = {(await create_enterprise(client, admin, region_code=OTHER_TOWN))["id"] for _ in range(7)}
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"region": OTHER_TOWN[:6], "limit": 3, "sort": "-created_at"}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/api/v1/enterprises", params=params, headers=admin)).json()
        seen += [e["id"] for e in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == ids


async def test_bad_list_parameters(client: AsyncClient, admin: dict[str, str]) -> None:
    unknown = await client.get("/api/v1/enterprises", params={"colour": "red"}, headers=admin)
    assert unknown.status_code == 422
    forged = await client.get(
        "/api/v1/enterprises", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=admin
    )
    assert forged.status_code == 400
    assert forged.json()["code"] == "invalid_cursor"
    bad_sort = await client.get("/api/v1/enterprises", params={"sort": "uscc"}, headers=admin)
    assert bad_sort.status_code == 422
    assert bad_sort.json()["code"] == "sort_not_allowed"


async def test_changed_since_includes_tombstone(client: AsyncClient, admin: dict[str, str]) -> None:
    keep = await create_enterprise(client, admin)
    gone = await create_enterprise(client, admin)
    start = await client.get(
        "/api/v1/enterprises", params={"changed_since": "0", "limit": 200}, headers=admin
    )
    assert start.status_code == 200
    cursor = start.json()["next_cursor"]
    deleted = await client.delete(f"/api/v1/enterprises/{gone['id']}", headers=admin)
    assert deleted.status_code == 204
    await client.patch(f"/api/v1/enterprises/{keep['id']}", json={"address": "改"}, headers=admin)
    delta = await client.get("/api/v1/enterprises", params={"changed_since": cursor}, headers=admin)
    assert delta.status_code == 200
    items = delta.json()["items"]
    assert [i["id"] for i in items] == [gone["id"], keep["id"]]
    assert items[0]["deleted_at"] is not None
    assert items[1]["deleted_at"] is None
    after = await client.get(
        "/api/v1/enterprises", params={"changed_since": delta.json()["next_cursor"]}, headers=admin
    )
    assert after.json()["items"] == []
    missing = await client.get(f"/api/v1/enterprises/{gone['id']}", headers=admin)
    assert missing.status_code == 404
