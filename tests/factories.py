"""Plain async builders that go through the HTTP API (so they exercise the real rules)."""

from __future__ import annotations

import itertools
from typing import Any

from httpx import AsyncClient

from tests.uscc_reference import random_uscc

COUNTY = "330106"  # 杭州市西湖区
TOWN = "330106002"  # 北山街道
TOWN_2 = "330106004"  # 西溪街道
OTHER_COUNTY = "330105"  # 拱墅区
OTHER_TOWN = "330105001"

_serial = itertools.count(1)


def make_uscc(county: str = COUNTY) -> str:
    """A valid code, built by the tests' own implementation of GB 32100 (not the app's)."""
    return random_uscc(county)


def enterprise_row(**overrides: Any) -> dict[str, Any]:
    """Column values of an operating hazchem enterprise in TOWN, for tests that must commit
    their rows themselves (concurrency) instead of going through the API."""
    return {
        "uscc": make_uscc(),
        "name": "并发测试单位",
        "kind": "enterprise",
        "region_code": TOWN,
        "sectors": ["hazchem"],
        "licences": [],
        "status": "operating",
        "version": 1,
        **overrides,
    }


async def create_department(
    client: AsyncClient, headers: dict[str, str], **overrides: Any
) -> dict[str, Any]:
    body = {
        "name": f"应急管理局{next(_serial)}",
        "kind": "department",
        "region_code": COUNTY,
        "sectors": ["hazchem", "industry_trade"],
        **overrides,
    }
    response = await client.post("/api/v1/departments", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def create_enterprise(
    client: AsyncClient, headers: dict[str, str], **overrides: Any
) -> dict[str, Any]:
    region = overrides.get("region_code", TOWN)
    body = {
        "uscc": make_uscc(region[:6]),
        "name": f"杭州测试化工有限公司{next(_serial)}",
        "kind": "enterprise",
        "region_code": region,
        "address": "西湖区某路1号",
        "location": {"lat": 30.259, "lon": 120.13},
        "sectors": ["hazchem"],
        "main_responsible_person": {"name": "张三", "phone": "13812345678"},
        "safety_manager": {"name": "李四", "phone": "13987654321"},
        "size": "small",
        "risk_grade": "yellow",
        **overrides,
    }
    response = await client.post("/api/v1/enterprises", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]
