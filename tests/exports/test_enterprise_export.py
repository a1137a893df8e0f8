"""Streamed enterprise exports (CSV and XLSX) through HTTP."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from typing import Any

from httpx import AsyncClient
from openpyxl import load_workbook

from app.core.export import XLSX_MEDIA_TYPE
from tests.factories import COUNTY, OTHER_TOWN, TOWN, TOWN_2, create_enterprise

URL = "/api/v1/enterprises/export"


def _csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(body[len(codecs.BOM_UTF8) :].decode())))


def _xlsx_rows(body: bytes) -> list[list[Any]]:
    book = load_workbook(io.BytesIO(body), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


async def _three(client: AsyncClient, admin: dict[str, str]) -> list[dict[str, Any]]:
    return [
        await create_enterprise(client, admin, name="导出甲化工", region_code=TOWN),
        await create_enterprise(
            client, admin, name="导出乙加油站", region_code=TOWN_2, sectors=["gas"]
        ),
        await create_enterprise(
            client, admin, name="导出丙烟花", region_code=OTHER_TOWN, sectors=["fireworks"]
        ),
    ]


async def test_csv_every_page_in_english(
    app: Any, client: AsyncClient, admin: dict[str, str]
) -> None:
    ents = await _three(client, admin)
    # batches of two rows: the export must follow the keyset pages to the end
    app.state.settings = app.state.settings.model_copy(update={"export_batch_rows": 2})
    response = await client.get(
        URL, params={"format": "csv", "q": "导出", "sort": "name"}, headers=admin
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = _csv_rows(response.content)
    assert rows[0][:3] == ["ID", "Unified social credit code", "Name"]
    assert sorted(r[0] for r in rows[1:]) == sorted(e["id"] for e in ents)
    by_id = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    first = by_id[ents[0]["id"]]
    assert first["Sectors"] == "Hazardous chemicals"  # labels in the answer's language
    assert first["Main responsible person phone"] == "13812345678"
    assert first["Latitude"] == "30.259"


async def test_xlsx_by_accept_header_in_chinese(client: AsyncClient, admin: dict[str, str]) -> None:
    ents = await _three(client, admin)
    response = await client.get(
        URL,
        params={"region": COUNTY, "q": "导出"},
        headers={**admin, "Accept": XLSX_MEDIA_TYPE, "Accept-Language": "zh-CN"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX_MEDIA_TYPE
    assert response.headers["content-language"] == "zh-CN"
    rows = _xlsx_rows(response.content)
    assert rows[0][:3] == ["系统编号", "统一社会信用代码", "单位名称"]
    # the region filter covers the county subtree: the other county's unit is not there
    assert sorted(r[0] for r in rows[1:]) == sorted(e["id"] for e in ents[:2])


async def test_scope_and_masking(
    client: AsyncClient, admin: dict[str, str], token: Callable[..., dict[str, str]]
) -> None:
    ents = await _three(client, admin)
    town = token("town_official", region_code=TOWN_2)
    rows = _csv_rows((await client.get(URL, params={"q": "导出"}, headers=town)).content)
    assert [r[0] for r in rows[1:]] == [ents[1]["id"]]
    own = token("enterprise_user", enterprise_id=ents[0]["id"])
    response = await client.get(URL, headers=own)
    rows = _csv_rows(response.content)
    assert [r[0] for r in rows[1:]] == [ents[0]["id"]]
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Main responsible person phone"] == "138****5678"  # no personal_data:read
    expert = token("expert")
    assert _csv_rows((await client.get(URL, headers=expert)).content)[1:] == []


async def test_formula_cells_are_neutralised(client: AsyncClient, admin: dict[str, str]) -> None:
    ent = await create_enterprise(client, admin, name='=HYPERLINK("http://x")导出')
    rows = _csv_rows((await client.get(URL, params={"q": "导出"}, headers=admin)).content)
    names = {r[0]: r[2] for r in rows[1:]}
    assert names[ent["id"]] == '\'=HYPERLINK("http://x")导出'


async def test_refusals(client: AsyncClient, admin: dict[str, str]) -> None:
    assert (await client.get(URL)).status_code == 401
    for params in (
        {"format": "pdf"},
        {"cursor": "abc"},
        {"limit": "5"},
        {"changed_since": "0"},
        {"nonsense": "1"},
        {"sort": "uscc"},
    ):
        response = await client.get(URL, params=params, headers=admin)
        assert response.status_code == 422, (params, response.text)
        assert response.headers["content-type"] == "application/problem+json"


async def test_plain_list_url_negotiates(
    app: Any, client: AsyncClient, admin: dict[str, str]
) -> None:
    ent = await create_enterprise(client, admin, name="协商导出单位")
    as_csv = await client.get(
        "/api/v1/enterprises", params={"q": "协商导出"}, headers={**admin, "Accept": "text/csv"}
    )
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert [r[0] for r in _csv_rows(as_csv.content)[1:]] == [ent["id"]]
    as_xlsx = await client.get(
        "/api/v1/enterprises", params={"q": "协商导出", "format": "xlsx"}, headers=admin
    )
    assert as_xlsx.headers["content-type"] == XLSX_MEDIA_TYPE
    as_json = await client.get("/api/v1/enterprises", params={"q": "协商导出"}, headers=admin)
    assert as_json.json()["items"][0]["id"] == ent["id"]


async def test_hazard_export_function(
    app: Any, client: AsyncClient, admin: dict[str, str], token: Callable[..., dict[str, str]]
) -> None:
    """``GET /api/v1/hazards/export``, and the plain hazard list asked for CSV."""
    ent = await create_enterprise(client, admin)
    made = []
    for title in ("导出隐患甲", "导出隐患乙", "导出隐患丙"):
        response = await client.post(
            "/api/v1/hazards",
            headers=admin,
            json={
                "enterprise_id": ent["id"],
                "title": title,
                "sector": "hazchem",
                "category": "unsafe_condition",
                "source": "departmental",
                "responsible_person": {"name": "王五", "phone": "13700001111"},
            },
        )
        assert response.status_code == 201, response.text
        made.append(response.json())
    app.state.settings = app.state.settings.model_copy(update={"export_batch_rows": 2})
    response = await client.get(
        "/api/v1/hazards/export",
        params={"q": "导出隐患"},
        headers={**admin, "Accept-Language": "zh-CN"},
    )
    rows = _csv_rows(response.content)
    assert rows[0][:3] == ["隐患编号", "隐患名称", "隐患描述"]
    ids = rows[0].index("系统编号")
    assert [r[ids] for r in rows[1:]] == [h["id"] for h in made]  # id (creation) order
    assert [r[0] for r in rows[1:]] == [h["code"] for h in made]
    own = token("enterprise_user", enterprise_id=ent["id"])
    as_xlsx = await client.get("/api/v1/hazards/export", params={"format": "xlsx"}, headers=own)
    sheet = _xlsx_rows(as_xlsx.content)
    phones = {r[sheet[0].index("Responsible person phone")] for r in sheet[1:]}
    assert phones == {"137****1111"}
    negotiated = await client.get(
        "/api/v1/hazards", params={"q": "导出隐患"}, headers={**admin, "Accept": "text/csv"}
    )
    assert len(_csv_rows(negotiated.content)) == 4
    bad = await client.get("/api/v1/hazards/export", params={"overdue": "maybe"}, headers=admin)
    assert bad.status_code == 422
