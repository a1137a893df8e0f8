"""Exports a county office can use: labels in the answer's language, the county's time zone,
names of what rows cite, clear headers, id order."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from httpx import AsyncClient

from tests.hazards.builders import make_world

Token = Callable[..., dict[str, str]]


def _rows(body: bytes) -> list[dict[str, str]]:
    text = body.removeprefix(codecs.BOM_UTF8).decode()
    return list(csv.DictReader(io.StringIO(text)))


async def test_hazard_export_for_a_county_office(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    w = await make_world(client, token, admin, name="西湖导出化工有限公司")
    first = await w.rectifying()
    second = await w.hazard(title="导出第二条隐患")
    r = await client.get(
        "/api/v1/hazards/export",
        params={"enterprise_id": w.ent_id},
        headers={**admin, "Accept-Language": "zh-CN"},
    )
    assert r.status_code == 200, r.text
    rows = _rows(r.content)
    header = list(rows[0])
    assert header[:2] == ["隐患编号", "隐患名称"]
    assert "编号" not in header  # the UUID is 系统编号, beside 隐患编号
    assert [row["系统编号"] for row in rows] == [first["id"], second["id"]]  # id order
    row = rows[0]
    assert row["隐患编号"] == first["code"]
    assert row["单位名称"] == "西湖导出化工有限公司"
    assert row["统一社会信用代码"] == w.enterprise["uscc"]
    assert row["所属乡镇（街道）"] == "北山街道"
    assert (row["状态"], row["行业领域"], row["隐患等级"]) == (
        "整改中",
        "危险化学品",
        "一般事故隐患",
    )
    assert row["整改方式"] == "限期整改"
    assert row["是否逾期"] == "否"
    assert row["责令整改部门"] in ("", w.department["name"])
    found = datetime.fromisoformat(first["found_at"]).astimezone(ZoneInfo("Asia/Shanghai"))
    assert row["发现时间"] == found.strftime("%Y-%m-%d %H:%M:%S")

    en = _rows(
        (
            await client.get(
                "/api/v1/hazards/export",
                params={"enterprise_id": w.ent_id},
                headers={**admin, "Accept-Language": "en"},
            )
        ).content
    )
    assert en[0]["Status"] == "Rectifying"
    assert en[0]["Enterprise"] == "西湖导出化工有限公司"
    assert en[0]["Hazard code"] == first["code"]
