"""Imports of enterprises from CSV/XLSX: templates, dry run, real run, background jobs."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from httpx import AsyncClient
from openpyxl import load_workbook

from app.statistics.imports.jobs import claim_next_import_job, run_import_job
from tests.factories import OTHER_TOWN, TOWN, TOWN_2, create_enterprise, make_uscc
from tests.statistics.builders import csv_bytes, upload, xlsx_bytes

HEADER_EN = [
    "Unified social credit code",
    "Name",
    "Region code",
    "Sectors",
    "Main responsible person",
    "Main responsible person phone",
    "Risk grade",
]
HEADER_ZH = [
    "统一社会信用代码 *",
    "单位名称 *",
    "所属乡镇（街道）代码 *",
    "行业领域 *",
    "风险等级",
    "备注",
]


async def _names(client: AsyncClient, headers: dict[str, str], q: str) -> list[str]:
    listed = await client.get(
        "/api/v1/enterprises", params={"q": q, "sort": "name"}, headers=headers
    )
    return [e["name"] for e in listed.json()["items"]]


async def test_templates(client: AsyncClient, admin: dict[str, str]) -> None:
    xlsx = await client.get(
        "/api/v1/import-templates/enterprises", headers={**admin, "Accept-Language": "zh-CN"}
    )
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    header = next(book.worksheets[0].iter_rows(values_only=True))
    assert header[1:3] == ("统一社会信用代码 *", "单位名称 *")
    assert book.sheetnames[1] == "说明"
    as_csv = await client.get(
        "/api/v1/import-templates/enterprises", params={"format": "csv"}, headers=admin
    )
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "Unified social credit code *" in as_csv.content.decode("utf-8-sig")
    assert (await client.get("/api/v1/import-templates/enterprises")).status_code == 401
    assert (await client.get("/api/v1/import-templates/people", headers=admin)).status_code == 422


async def test_dry_run_reports_every_row_and_writes_nothing(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    good = make_uscc()
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    rows = [
        HEADER_EN,
        [good, "试导入甲公司", TOWN, "危险化学品;工贸", "张三", "13812345678", "yellow"],
        [bad_check, "试导入乙公司", TOWN, "hazchem", "", "", ""],
        [make_uscc(), "", TOWN, "hazchem", "", "", ""],
        [],
        [good.lower(), "试导入丙公司", TOWN, "fire", "", "", "purple"],
    ]
    response = await upload(client, admin, csv_bytes(rows), dry_run=True)
    assert response.status_code == 201, response.text
    job = response.json()
    assert response.headers["location"] == f"/api/v1/import-jobs/{job['id']}"
    assert (job["status"], job["dry_run"], job["total_rows"]) == ("succeeded", True, 4)
    assert (job["created_rows"], job["error_rows"]) == (1, 3)
    by_row = {e["row_number"]: e["errors"] for e in job["errors"]}
    assert by_row[3][0]["column"] == "uscc"
    assert by_row[3][0]["code"] == "uscc_check_character"
    assert by_row[4] == [
        {
            "column": "name",
            "code": "missing",
            "message": "Name is required",
            "message_zh": "“单位名称”为必填项",
        }
    ]
    assert {e["column"] for e in by_row[6]} == {"risk_grade"}  # blank row 5 skipped
    assert job["errors"][0]["values"]["Name"] == "试导入乙公司"
    assert await _names(client, admin, "试导入") == []


async def test_real_run_xlsx_writes_valid_rows(
    client: AsyncClient, admin: dict[str, str], token: Callable[..., dict[str, str]]
) -> None:
    town = token("town_official", region_code=TOWN)
    uscc = make_uscc()
    rows: list[list[Any]] = [
        HEADER_ZH,
        [make_uscc(), "导入甲化工", 330106002, "危险化学品", "红", "x"],
        [make_uscc(), "导入乙加油站", TOWN, "gas", "blue", ""],
        [make_uscc(), "导入越界单位", TOWN_2, "gas", "", ""],  # outside the town's scope
        [uscc, "导入丁", TOWN, "fire", "", ""],
        [uscc, "导入戊（重复）", TOWN, "fire", "", ""],
    ]
    response = await upload(client, town, xlsx_bytes(rows), filename="units.xlsx")
    assert response.status_code == 201, response.text
    job = response.json()
    assert job["file_format"] == "xlsx"
    assert job["ignored_columns"] == ["备注"]
    assert (job["created_rows"], job["error_rows"]) == (3, 2), job["errors"]
    codes = {e["row_number"]: e["errors"][0]["code"] for e in job["errors"]}
    assert codes == {4: "out_of_scope", 6: "duplicate_in_file"}
    assert await _names(client, admin, "导入") == ["导入丁", "导入乙加油站", "导入甲化工"]
    red = await client.get("/api/v1/enterprises", params={"q": "导入甲化工"}, headers=admin)
    assert red.json()["items"][0]["risk_grade"] == "red"
    assert red.json()["items"][0]["region_code"] == TOWN
    errors = await client.get(
        f"/api/v1/import-jobs/{job['id']}/errors", params={"limit": 1}, headers=town
    )
    assert [e["row_number"] for e in errors.json()["items"]] == [4]
    more = await client.get(
        f"/api/v1/import-jobs/{job['id']}/errors",
        params={"cursor": errors.json()["next_cursor"]},
        headers=town,
    )
    assert [e["row_number"] for e in more.json()["items"]] == [6]
    assert more.json()["next_cursor"] is None


async def test_export_reimports_as_unchanged(client: AsyncClient, admin: dict[str, str]) -> None:
    await create_enterprise(client, admin, name="回导单位一")
    await create_enterprise(client, admin, name="回导单位二", region_code=OTHER_TOWN)
    exported = await client.get("/api/v1/enterprises/export", params={"q": "回导"}, headers=admin)
    response = await upload(client, admin, exported.content)
    job = response.json()
    assert (job["unchanged_rows"], job["created_rows"], job["error_rows"]) == (2, 0, 0), job[
        "errors"
    ]
    assert {"Status", "Version", "Created at"} <= set(job["ignored_columns"])


async def test_large_file_runs_in_the_worker(
    app: Any, client: AsyncClient, admin: dict[str, str]
) -> None:
    app.state.settings = app.state.settings.model_copy(
        update={"import_inline_max_rows": 2, "import_batch_rows": 2}
    )
    rows = (
        [HEADER_EN]
        + [[make_uscc(), f"后台导入{i}", TOWN, "hazchem", "", "", ""] for i in range(5)]
        + [["x", "后台导入坏行", TOWN, "hazchem"]]
    )
    response = await upload(client, admin, csv_bytes(rows))
    assert response.status_code == 202, response.text
    job = response.json()
    assert (job["status"], job["processed_rows"], job["total_rows"]) == ("queued", 0, 6)
    async with app.state.sessionmaker() as session:
        job_id = await claim_next_import_job(session, app.state.settings)
        assert job_id is not None
        assert str(job_id) == job["id"]
        await run_import_job(session, job_id, app.state.settings)
    done = (await client.get(f"/api/v1/import-jobs/{job['id']}", headers=admin)).json()
    assert (done["status"], done["processed_rows"]) == ("succeeded", 6)
    assert (done["created_rows"], done["error_rows"]) == (5, 1)
    assert len(await _names(client, admin, "后台导入")) == 5
    async with app.state.sessionmaker() as session:
        assert await claim_next_import_job(session, app.state.settings) is None


async def test_refusals(
    client: AsyncClient, admin: dict[str, str], token: Callable[..., dict[str, str]]
) -> None:
    body = csv_bytes([HEADER_EN, [make_uscc(), "拒绝", TOWN, "hazchem"]])
    assert (
        await client.post(
            "/api/v1/import-jobs", files={"file": ("a.csv", body)}, data={"kind": "enterprises"}
        )
    ).status_code == 401
    ent = await create_enterprise(client, admin)
    own = token("enterprise_user", enterprise_id=ent["id"])
    forbidden = await upload(client, own, body)
    assert (forbidden.status_code, forbidden.json()["code"]) == (403, "permission_denied")
    missing = await upload(client, admin, csv_bytes([["Name"], ["x"]]))
    assert (missing.status_code, missing.json()["code"]) == (422, "import_missing_columns")
    empty = await upload(client, admin, b"")
    assert (empty.status_code, empty.json()["code"]) == (422, "import_empty")
    broken = await upload(client, admin, b"PK\x03\x04garbage", filename="x.xlsx")
    assert (broken.status_code, broken.json()["code"]) == (422, "import_file_unreadable")
    unknown = await upload(client, admin, body, kind="people")
    assert unknown.status_code == 422
    gbk = await upload(
        client,
        admin,
        csv_bytes(
            [HEADER_ZH[:4], [make_uscc(), "国标编码单位", TOWN, "消防"]],
            bom=False,
            encoding="gb18030",
        ),
        dry_run=True,
    )
    assert gbk.json()["created_rows"] == 1, gbk.text
    job = (await upload(client, admin, body, dry_run=True)).json()
    other = token("committee_office", region_code="330106")
    assert (await client.get(f"/api/v1/import-jobs/{job['id']}", headers=other)).status_code == 404
    assert (
        await client.get(f"/api/v1/import-jobs/{job['id']}/errors", headers=other)
    ).status_code == 404


async def test_hazard_import(
    client: AsyncClient, admin: dict[str, str], token: Callable[..., dict[str, str]]
) -> None:
    ent = await create_enterprise(client, admin, region_code=TOWN)
    other = await create_enterprise(client, admin, region_code=TOWN_2)
    template = await client.get(
        "/api/v1/import-templates/hazards",
        params={"format": "csv"},
        headers={**admin, "Accept-Language": "zh-CN"},
    )
    header = template.content.decode("utf-8-sig").strip().split(",")
    assert header[:3] == ["系统编号", "单位统一社会信用代码 *", "隐患名称 *"]
    town = token("town_official", region_code=TOWN)
    rows = [
        [
            "单位统一社会信用代码",
            "隐患名称",
            "行业领域",
            "隐患类别",
            "隐患来源",
            "整改责任人",
            "发现时间",
        ],
        [
            ent["uscc"],
            "导入隐患一：消防通道堵塞",
            "消防",
            "物的不安全状态",
            "部门检查",
            "王五",
            "2026-11-20T10:00:00+08:00",
        ],
        [ent["uscc"].lower(), "导入隐患二", "hazchem", "unsafe_act", "self_inspection", "", ""],
        [other["uscc"], "越界隐患", "gas", "unsafe_act", "joint", "", ""],
        ["", "缺单位", "gas", "colour", "joint", "", ""],
    ]
    job = (await upload(client, town, csv_bytes(rows), kind="hazards")).json()
    assert (job["kind"], job["created_rows"], job["error_rows"]) == ("hazards", 2, 2), job["errors"]
    errors = {e["row_number"]: {x["column"]: x["code"] for x in e["errors"]} for e in job["errors"]}
    assert errors[4] == {"enterprise_uscc": "enterprise_not_found"}
    assert errors[5] == {"enterprise_uscc": "missing"}
    listed = await client.get("/api/v1/hazards", params={"enterprise_id": ent["id"]}, headers=admin)
    titles = {h["title"]: h for h in listed.json()["items"]}
    first = titles["导入隐患一：消防通道堵塞"]
    assert (first["sector"], first["source"], first["status"]) == (
        "fire",
        "departmental",
        "reported",
    )
    assert first["found_at"].startswith("2026-11-20T02:00:00")
    assert first["responsible_person"]["name"] == "王五"
    own = token("enterprise_user", enterprise_id=ent["id"])
    dry = (await upload(client, own, csv_bytes(rows[:3]), kind="hazards", dry_run=True)).json()
    assert (dry["created_rows"], dry["error_rows"]) == (2, 0), dry
