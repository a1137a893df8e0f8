"""Regions, sectors, enums, criteria and departments through HTTP."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.factories import COUNTY, create_department


async def test_regions_children_and_ancestors(client: AsyncClient) -> None:
    provinces = (await client.get("/api/v1/regions")).json()["items"]
    assert len(provinces) == 31
    towns = (await client.get("/api/v1/regions", params={"parent_code": COUNTY})).json()["items"]
    assert towns
    assert all(t["code"].startswith(COUNTY) and t["level"] == 4 for t in towns)
    town = (await client.get(f"/api/v1/regions/{towns[0]['code']}")).json()
    assert [a["code"] for a in town["ancestors"]] == ["33", "3301", COUNTY]
    missing = await client.get("/api/v1/regions/999999")
    assert missing.status_code == 404
    assert missing.json()["code"] == "region_not_found"


async def test_sectors_and_enums(client: AsyncClient) -> None:
    sectors = (await client.get("/api/v1/sectors")).json()["items"]
    assert {s["key"] for s in sectors} >= {"school", "hazchem", "industry_trade", "other"}
    assert len(sectors) == 10
    enums = (await client.get("/api/v1/reference/enums")).json()["enums"]
    assert {"sector", "enterprise_status", "risk_grade", "unit_kind"} <= set(enums)
    grade = {v["value"]: v for v in enums["risk_grade"]}
    assert grade["red"]["label_zh"].startswith("重大")


async def test_criteria_catalogue(client: AsyncClient, admin: dict[str, str]) -> None:
    hazchem = (await client.get("/api/v1/criteria", params={"sector": "hazchem"})).json()["items"]
    assert len(hazchem) == 20
    assert all(c["document_number"] == "安监总管三〔2017〕121号" for c in hazchem)
    standards = (await client.get("/api/v1/criteria/standards", params={"sector": "coal"})).json()[
        "items"
    ]
    by_code = {s["code"]: s for s in standards}
    assert by_code["coal-2015"]["superseded_by_code"] == "coal-2021"
    assert by_code["coal-2015"]["in_force"] is False
    assert by_code["coal-2021"]["in_force"]
    body: dict[str, Any] = {
        "format": "anjian-criteria/1",
        "standards": [
            {
                "code": "fire-2025",
                "sector": "fire",
                "title": "重大火灾隐患判定规则",
                "issuing_body": "国家市场监督管理总局",
                "document_number": "GB 35181-2025",
                "effective_on": "2025-11-01",
                "clauses": [{"code": "fire-2025-5.1", "text": "示例条款"}],
            }
        ],
    }
    denied = await client.post(
        "/api/v1/criteria/import", json=body, headers={"Authorization": "Bearer x"}
    )
    assert denied.status_code == 401
    imported = await client.post("/api/v1/criteria/import", json=body, headers=admin)
    assert imported.json() == {"standards": 1, "clauses": 1}
    again = await client.post("/api/v1/criteria/import", json=body, headers=admin)
    assert again.json() == {"standards": 1, "clauses": 1}
    fire = (await client.get("/api/v1/criteria", params={"standard": "fire-2025"})).json()
    assert [c["code"] for c in fire["items"]] == ["fire-2025-5.1"]
    bad = await client.post("/api/v1/criteria/import", json={**body, "format": "v0"}, headers=admin)
    assert bad.status_code == 422


async def test_departments_crud_and_scope(
    client: AsyncClient, admin: dict[str, str], token: Any
) -> None:
    dept = await create_department(client, admin)
    office = token("committee_office", region_code="330105")
    hidden = await client.get(f"/api/v1/departments/{dept['id']}", headers=office)
    assert hidden.status_code == 404
    outside = await client.post(
        "/api/v1/departments",
        json={"name": "x", "kind": "department", "region_code": COUNTY},
        headers=office,
    )
    assert outside.status_code == 404
    own = token("committee_office", region_code=COUNTY)
    listed = (
        await client.get("/api/v1/departments", params={"region": COUNTY}, headers=own)
    ).json()["items"]
    assert dept["id"] in [d["id"] for d in listed]
    patched = await client.patch(
        f"/api/v1/departments/{dept['id']}",
        json={"phone": "0571-1"},
        headers={**own, "If-Match": '"1"'},
    )
    assert patched.status_code == 200
    assert patched.json()["version"] == 2
    inspector = token("inspector", region_code=COUNTY)
    assert (
        await client.delete(f"/api/v1/departments/{dept['id']}", headers=inspector)
    ).status_code == 403
    assert (
        await client.delete(f"/api/v1/departments/{dept['id']}", headers=own)
    ).status_code == 204
    assert (await client.get(f"/api/v1/departments/{dept['id']}", headers=own)).status_code == 404


async def test_reference_lists_refuse_unknown_parameters(client: AsyncClient) -> None:
    for path in ("/regions", "/sectors", "/reference/enums", "/criteria/standards"):
        r = await client.get(f"/api/v1{path}", params={"parnet_code": "33"})
        assert r.status_code == 422, path
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "parnet_code" in r.text
    bad = await client.get("/api/v1/regions", params={"parent_code": "3x"})
    assert bad.status_code == 422
