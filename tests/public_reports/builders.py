"""Builders for public report tests (through HTTP)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient

from tests.factories import COUNTY, TOWN, create_department, create_enterprise

_serial = itertools.count(1)
Token = Callable[..., dict[str, str]]


@dataclass
class County:
    """The units of one county and a token for each."""

    government: dict[str, Any]
    committee: dict[str, Any]
    emergency: dict[str, Any]  # 应急管理局: hazchem, industry_trade
    housing: dict[str, Any]  # 住建局: construction, gas
    town: dict[str, Any]
    enterprise: dict[str, Any]
    tokens: dict[str, dict[str, str]]


async def setup_county(client: AsyncClient, admin: dict[str, str], token: Token) -> County:
    government = await create_department(
        client, admin, name="西湖区人民政府", kind="county_government", sectors=[]
    )
    committee = await create_department(
        client, admin, name="西湖区安委办", kind="committee_office", sectors=[]
    )
    emergency = await create_department(client, admin, name="西湖区应急管理局")
    housing = await create_department(
        client, admin, name="西湖区住建局", sectors=["construction", "gas"]
    )
    town = await create_department(
        client, admin, name="北山街道办事处", kind="town_government", region_code=TOWN, sectors=[]
    )
    enterprise = await create_enterprise(client, admin)
    tokens = {
        "government": token("department_official", department_id=government["id"]),
        "committee": token("committee_office", region_code=COUNTY, department_id=committee["id"]),
        "emergency": token("department_official", department_id=emergency["id"]),
        "emergency_inspector": token("inspector", department_id=emergency["id"]),
        "housing": token("department_official", department_id=housing["id"]),
        "town": token("town_official", region_code=TOWN, department_id=town["id"]),
        "enterprise_user": token("enterprise_user", enterprise_id=enterprise["id"]),
        "expert": token("expert"),
        "admin": admin,
    }
    return County(government, committee, emergency, housing, town, enterprise, tokens)


def report_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "12350",
        "category": "major_hazard",
        "content": f"仓库内违规存放大量危险化学品，无防爆措施。{next(_serial)}",
        "anonymous": True,
    }
    body.update(overrides)
    return body


async def submit(client: AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/public-reports", json=report_body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def find_report(
    client: AsyncClient, headers: dict[str, str], receipt_code: str
) -> dict[str, Any]:
    """A handler finds the report of a receipt code in its list."""
    response = await client.get("/api/v1/public-reports", params={"limit": 200}, headers=headers)
    assert response.status_code == 200, response.text
    for item in response.json()["items"]:
        if item["receipt_code"] == receipt_code:
            return item  # type: ignore[no-any-return]
    raise AssertionError(f"report {receipt_code} not visible")


async def act(
    client: AsyncClient,
    headers: dict[str, str],
    report_id: str,
    action: str,
    body: dict[str, Any] | None = None,
    status: int = 200,
) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/public-reports/{report_id}/{action}", json=body or {}, headers=headers
    )
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]
