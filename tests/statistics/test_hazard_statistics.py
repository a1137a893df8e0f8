"""Hazard statistics through HTTP: figures equal a direct count after random lifecycles."""

from __future__ import annotations

import io
import random
import statistics as pystats
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from openpyxl import load_workbook
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core import clock
from app.core.clock import CHINA_TZ
from app.core.export import XLSX_MEDIA_TYPE
from app.statistics.figures.service import roll_overdue_clock
from tests.factories import COUNTY, OTHER_TOWN, TOWN, TOWN_2, create_department, create_enterprise
from tests.hazards.builders import World, order_body, plan_body
from tests.statistics.builders import campaign_with_hazards

URL = "/api/v1/statistics/hazards"
OPEN = (
    "reported",
    "registered",
    "planning",
    "rectifying",
    "extension_requested",
    "pending_verification",
    "escalated",
)
DIMENSION_SQL = {
    "region": "region_code",
    "sector": "sector",
    "level": "level",
    "status": "status",
    "source": "source",
    "department": "order_department_id::text",
    "month": "to_char(found_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')",
}


async def direct(
    connection: AsyncConnection, region: str, dimension: str | None, extra: str = ""
) -> dict[Any, dict[str, Any]]:
    """The figures counted straight from the hazard table (the oracle)."""
    today = clock.today_china()
    key = DIMENSION_SQL[dimension] if dimension else "NULL"
    rows = (
        (
            await connection.execute(
                text(f"""
        SELECT {key} AS k, status, level, deadline,
               (closed_at AT TIME ZONE 'Asia/Shanghai')::date AS closed_on,
               (found_at AT TIME ZONE 'Asia/Shanghai')::date AS found_on
        FROM hazard WHERE region_code LIKE :prefix AND deleted_at IS NULL {extra}"""),  # noqa: S608
                {"prefix": region + "%"},
            )
        )
        .mappings()
        .all()
    )
    out: dict[Any, dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    days: dict[Any, list[int]] = defaultdict(list)
    for r in rows:
        g = out[r["k"]]
        g["cancelled"] += r["status"] == "cancelled"
        g["found"] += r["status"] != "cancelled"
        g["closed"] += r["status"] == "closed"
        g["open"] += r["status"] in OPEN
        g["overdue"] += r["status"] in OPEN and r["deadline"] is not None and r["deadline"] < today
        g["major_open"] += r["level"] == "major" and r["status"] in OPEN
        g["major_cleared"] += r["level"] == "major" and r["status"] == "closed"
        if r["status"] == "closed":
            days[r["k"]].append((r["closed_on"] - r["found_on"]).days)
            if r["deadline"] is not None:
                g["with_deadline"] += 1
                g["on_time"] += r["closed_on"] <= r["deadline"]
    for k, g in out.items():
        g["median_days_to_close"] = float(pystats.median(days[k])) if days[k] else None
        g["rectification_rate"] = round(g["closed"] / g["found"], 4) if g["found"] else None
        g["on_time_rate"] = (
            round(g["on_time"] / g["with_deadline"], 4) if g["with_deadline"] else None
        )
    return out


FIGURES = (
    "found",
    "closed",
    "open",
    "cancelled",
    "overdue",
    "major_open",
    "major_cleared",
    "rectification_rate",
    "on_time_rate",
    "median_days_to_close",
)


def _same(api: dict[str, Any], oracle: dict[str, Any], where: str) -> None:
    for name in FIGURES:
        assert api[name] == oracle.get(
            name,
            0
            if name not in ("rectification_rate", "on_time_rate", "median_days_to_close")
            else None,
        ), (where, name, api, dict(oracle))


async def _random_lifecycles(
    world: World, rng: random.Random, count: int, departments: list[str]
) -> None:
    enterprises = [
        world.enterprise,
        await create_enterprise(
            world.client, world.admin, region_code=TOWN_2, sectors=["gas", "fire"]
        ),
    ]
    now = datetime.now(UTC)
    for _ in range(count):
        ent = rng.choice(enterprises)
        sector = rng.choice(ent["sectors"])
        found = now - timedelta(days=rng.randint(0, 80), hours=rng.randint(0, 23))
        hz = await world.hazard(
            enterprise_id=ent["id"],
            sector=sector,
            source=rng.choice(["departmental", "self_inspection", "joint"]),
            found_at=found.isoformat(),
        )
        user = world.token("enterprise_user", enterprise_id=ent["id"])
        dept = world.token(
            "department_official",
            region_code=COUNTY,
            department_id=rng.choice(departments if sector == "hazchem" else departments[1:]),
        )
        path = rng.choice(
            [
                "stay",
                "cancel",
                "immediate",
                "deadline",
                "deadline_close",
                "deadline_close",
                "major",
                "major_close",
            ]
        )
        if path == "stay":
            continue
        if path == "cancel":
            await world.ok(hz, "cancel", {"reason": "重复上报"})
            continue
        if path == "immediate":
            await world.ok(hz, "register", {"level": "general", "treatment_type": "immediate"})
            photo = await world.photo(hz["id"])
            await world.ok(hz, "fix-on-spot", {"attachment_ids": [photo]}, user)
            if rng.random() < 0.7:
                await world.ok(hz, "accept", {"opinion": "验收合格"})
            continue
        if path.startswith("deadline"):
            await world.ok(hz, "register", {"level": "general", "treatment_type": "by_deadline"})
            await world.ok(
                hz,
                "order-rectification",
                order_body(
                    deadline=(clock.today_china() + timedelta(days=rng.randint(1, 40))).isoformat()
                ),
                dept,
            )
        else:
            await world.ok(hz, "register", {"level": "major", "expert_note": "专家认定"})
            await world.ok(hz, "report-major", {"production_order": "none"}, user)
            if rng.random() < 0.3:
                continue  # stays planning
            await world.ok(hz, "submit-plan", plan_body(), user)
        if path.endswith("close"):
            clock.set_offset(timedelta(days=rng.randint(0, 50)))
            photo = await world.photo(hz["id"])
            done: dict[str, Any] = {"note": "已整改", "attachment_ids": [photo]}
            if path == "major_close":
                done["assessment"] = {
                    "by": "专家组",
                    "on": clock.today_china().isoformat(),
                    "opinion": "治理到位",
                }
            await world.ok(hz, "declare-completion", done, user)
            if rng.random() < 0.8:
                await world.ok(hz, "accept", {"opinion": "验收合格", "experts": ["王工", "赵工"]})
            clock.set_offset(timedelta(0))


@pytest.mark.parametrize("seed", [20261129])
async def test_figures_equal_a_direct_count(
    seed: int,
    app: Any,
    world: World,
    client: AsyncClient,
    admin: dict[str, str],
    connection: AsyncConnection,
) -> None:
    rng = random.Random(seed)
    wide = await create_department(client, admin, sectors=["hazchem", "gas", "fire"])
    departments = [world.department["id"], wide["id"]]
    await _random_lifecycles(world, rng, 30, departments)
    clock.set_offset(timedelta(days=25))  # some deadlines have passed now
    for dimension in (None, "region", "sector", "level", "status", "source", "department", "month"):
        params: dict[str, Any] = {"region": COUNTY, "median": "true"}
        if dimension:
            params["group_by"] = dimension
        response = await client.get(URL, params=params, headers=admin)
        assert response.status_code == 200, response.text
        body = response.json()
        oracle = await direct(connection, COUNTY, dimension)
        if dimension is None:
            _same(body["totals"], oracle[None], "totals")
            assert body["totals"]["found"] > 10
            continue
        if dimension == "status":
            got = {g["key"]["status"]: g["found"] + g["cancelled"] for g in body["groups"]}
            assert got == {k: v["found"] + v["cancelled"] for k, v in oracle.items()}
            closed = next(g for g in body["groups"] if g["key"]["status"] == "closed")
            everything = (await direct(connection, COUNTY, None))[None]
            assert closed["median_days_to_close"] == everything["median_days_to_close"]
            continue
        keys = {g["key"][dimension] for g in body["groups"]}
        assert keys == {k for k in oracle if k is not None or dimension != "department"} | (
            {None} if dimension in ("department", "level") and None in oracle else set()
        )
        for group in body["groups"]:
            _same(group, oracle[group["key"][dimension]], f"{dimension}={group['key']}")
    # a period of months (not whole years): medians from the per-month histograms
    first = (clock.today_china() - timedelta(days=60)).strftime("%Y-%m")
    last = clock.today_china().strftime("%Y-%m")
    for dimension in ("region", "level"):
        params = {
            "region": COUNTY,
            "group_by": dimension,
            "median": "true",
            "period_from": first,
            "period_to": last,
        }
        body = (await client.get(URL, params=params, headers=admin)).json()
        window = (
            f"AND to_char(found_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') "
            f"BETWEEN '{first}' AND '{last}'"
        )
        oracle = await direct(connection, COUNTY, dimension, window)
        assert body["groups"]
        for group in body["groups"]:
            _same(group, oracle[group["key"][dimension]], f"period {dimension}")
    # the other filters (parameters of a statement built once per query shape)
    for filters, clause in (
        (
            {"sector": ["hazchem", "gas"], "source": "departmental"},
            "AND sector IN ('hazchem', 'gas') AND source = 'departmental'",
        ),
        ({"department_id": departments[1]}, f"AND order_department_id = '{departments[1]}'"),
        ({"level": "major"}, "AND level = 'major'"),
    ):
        params = {"region": COUNTY, "group_by": "sector", "median": "true", **filters}
        body = (await client.get(URL, params=params, headers=admin)).json()
        oracle = await direct(connection, COUNTY, "sector", clause)
        assert body["groups"], filters
        assert {g["key"]["sector"] for g in body["groups"]} == set(oracle), filters
        for group in body["groups"]:
            _same(group, oracle[group["key"]["sector"]], f"filters {filters}")
    # the worker's daily roll of the overdue clock changes nothing in the figures
    async with app.state.sessionmaker() as session:
        assert await roll_overdue_clock(session) == 25
        await session.commit()
    for dimension in ("region", "source"):
        response = await client.get(
            URL, params={"region": COUNTY, "group_by": dimension, "median": "true"}, headers=admin
        )
        oracle = await direct(connection, COUNTY, dimension)
        for group in response.json()["groups"]:
            _same(group, oracle[group["key"][dimension]], f"rolled {dimension}")


async def _small_world(world: World) -> None:
    await world.rectifying()
    await world.registered("major")
    hz = await world.hazard()
    await world.ok(hz, "cancel", {"reason": "误报"})


async def test_grouping_labels_scope_and_tables(
    world: World, client: AsyncClient, admin: dict[str, str], token: Callable[..., dict[str, str]]
) -> None:
    await _small_world(world)
    zh = await client.get(
        URL, params={"group_by": ["region", "level"]}, headers={**admin, "Accept-Language": "zh-CN"}
    )
    body = zh.json()
    assert body["region"] is None  # admin, no filter: by province
    assert {g["key"]["region"] for g in body["groups"]} == {"33"}
    county = (
        await client.get(
            URL,
            params={"group_by": "region", "region": COUNTY},
            headers={**admin, "Accept-Language": "zh-CN"},
        )
    ).json()
    assert county["groups"][0]["key"] == {"region": TOWN}
    assert county["groups"][0]["label"] == {"region": "北山街道"}
    assert county["totals"]["found"] == 2 and county["totals"]["cancelled"] == 1  # noqa: PT018
    # a town official sees only the town; the county filter is clamped to it
    other = token("town_official", region_code=TOWN_2)
    clamped = (await client.get(URL, params={"region": COUNTY}, headers=other)).json()
    assert (clamped["region"], clamped["totals"]["found"]) == (TOWN_2, 0)
    outside = await client.get(URL, params={"region": OTHER_TOWN}, headers=other)
    assert (outside.status_code, outside.json()["code"]) == (404, "out_of_scope")
    # sector-bound department: only its sectors
    fire_dept = await create_department(client, admin, sectors=["fire"])
    fire = token("department_official", region_code=COUNTY, department_id=fire_dept["id"])
    assert (await client.get(URL, headers=fire)).json()["totals"]["found"] == 0
    assert (await client.get(URL, headers=world.dept)).json()["totals"]["found"] == 2
    # tables
    as_csv = await client.get(URL, params={"group_by": "sector", "format": "csv"}, headers=admin)
    assert as_csv.headers["content-type"].startswith("text/csv")
    lines = as_csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Sector (code),Sector,Found,Closed")
    assert lines[1].startswith("hazchem,Hazardous chemicals,2,0,2,1")
    as_xlsx = await client.get(
        URL, params={"group_by": "month"}, headers={**admin, "Accept": XLSX_MEDIA_TYPE}
    )
    sheet = load_workbook(io.BytesIO(as_xlsx.content), read_only=True).worksheets[0]
    assert [r[2] for r in sheet.iter_rows(values_only=True)][1:] == [2]
    month = datetime.now(UTC).astimezone(CHINA_TZ).strftime("%Y-%m")
    filtered = (
        await client.get(
            URL, params={"period_from": month, "period_to": month, "level": "major"}, headers=admin
        )
    ).json()
    assert filtered["totals"]["found"] == 1 and filtered["totals"]["major_open"] == 1  # noqa: PT018


async def test_refusals(
    client: AsyncClient, admin: dict[str, str], token: Callable[..., dict[str, str]]
) -> None:
    assert (await client.get(URL)).status_code == 401
    ent = await create_enterprise(client, admin)
    own = token("enterprise_user", enterprise_id=ent["id"])
    assert (await client.get(URL, headers=own)).status_code == 403
    assert (await client.get(URL, headers=token("expert"))).status_code == 403
    for params in (
        {"group_by": "colour"},
        {"group_by": ["source", "level"]},
        {"period_from": "2026-13"},
        {"unknown": "1"},
        {"group_by": ["sector", "month", "region"]},
    ):
        response = await client.get(URL, params=params, headers=admin)
        assert response.status_code == 422, (params, response.text)
    combo = await client.get(URL, params={"group_by": "source", "level": "major"}, headers=admin)
    assert combo.json()["code"] == "statistics_combination_unsupported"


async def test_campaign_filter(
    world: World, client: AsyncClient, admin: dict[str, str], connection: AsyncConnection
) -> None:
    linked = [await world.rectifying(), await world.registered("major"), await world.hazard()]
    await world.ok(linked[2], "cancel", {"reason": "重复"})
    await world.rectifying()  # not in the campaign
    campaign_id, visit_id = await campaign_with_hazards(
        connection,
        world.ent_id,
        [hz["id"] for hz in linked],
        name="春节前专项检查",
        ends_on=date(2026, 12, 31),
    )
    clock.set_offset(timedelta(days=40))  # the campaign's rectification is now overdue
    for dimension in (None, "level", "source"):
        params: dict[str, Any] = {"campaign_id": str(campaign_id), "median": "true"}
        if dimension:
            params["group_by"] = dimension
        body = (await client.get(URL, params=params, headers=admin)).json()
        oracle = await direct(connection, COUNTY, dimension, f"AND visit_id = '{visit_id}'")
        if dimension is None:
            _same(body["totals"], oracle[None], "campaign totals")
            assert (body["totals"]["found"], body["totals"]["overdue"]) == (2, 1)
            continue
        # every group of the oracle is answered (an empty list would compare nothing)
        assert {g["key"][dimension] for g in body["groups"]} == set(oracle), dimension
        assert len(body["groups"]) == {"level": 3, "source": 1}[dimension], body["groups"]
        for group in body["groups"]:
            _same(group, oracle[group["key"][dimension]], f"campaign {dimension}")
