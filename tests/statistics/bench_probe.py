"""Latency of ``GET /api/v1/statistics/hazards`` for a county at 1M and 10M hazards (by hand).

``python -m tests.statistics.bench_probe [sizes…] [--reuse]`` (default ``1000000 10000000``;
``--reuse`` keeps the migrated probe database of an earlier run).

The endpoint reads only the rollup tables, never ``hazard``; their size depends on how many
distinct keys N hazards produce. So the probe fills the rollups directly with the aggregate of
N synthetic hazards, all in one county (the worst case for a county query): 11 towns,
10 sectors, 3 levels, 8 sources, 9 departments (one "none"), 36 months, 85 % closed, 3 %
cancelled, the rest open across the 7 open statuses, days-to-close skewed over 0–98. Then it
runs the app in-process and times requests from 4 concurrent clients, rotating over the
groupings a dashboard uses, and prints p50 / p99 per size. (The write-path cost of keeping
the rollups is the trigger: one upsert per cuboid per hazard change, measured separately.)
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

from alembic import command
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from app.auth.tokens import mint_dev_token
from app.config import Settings
from app.main import create_app
from app.reference.loader import load_regions
from tests import pg
from tests.conftest import alembic_config, create_database

SECRET = "probe-secret-for-hs256-development-tokens"
COUNTY = "330106"
STATUSES = (
    "reported",
    "registered",
    "planning",
    "rectifying",
    "extension_requested",
    "pending_verification",
    "escalated",
    "closed",
    "cancelled",
)
SYNTHETIC = """
WITH towns AS (SELECT array_agg(code ORDER BY code) AS t FROM region
               WHERE parent_code = :county),
syn AS (
  SELECT t[1 + (x % cardinality(t))] AS region_code,
         (ARRAY['school','fire','coal','hazchem','fireworks','road','construction','gas',
                'industry_trade','other'])[1 + (x / 7) % 10] AS sector,
         (ARRAY['self_inspection','departmental','joint','supervisory','unannounced',
                'look_back','public_report','other'])[1 + (x / 70) % 8] AS source,
         CASE WHEN (x / 560) % 9 = 0 THEN '00000000-0000-0000-0000-000000000000'::uuid
              ELSE ('00000000-0000-0000-0000-00000000000' || ((x / 560) % 9))::uuid
         END AS department_id,
         (date '2024-01-01' + make_interval(months => ((x / 5040) % 36)::int))::date
           AS found_month,
         CASE WHEN r < 85 THEN 'closed' WHEN r < 88 THEN 'cancelled'
              ELSE (ARRAY['reported','registered','planning','rectifying',
                          'extension_requested','pending_verification','escalated'])[1 + r % 7]
         END AS status,
         CASE WHEN (x / 13) % 100 < 5 THEN 'major' WHEN (x / 13) % 100 < 8 THEN ''
              ELSE 'general' END AS level,
         (((x / 29) % 100) ^ 2 / 100)::int AS days,
         (x / 37) % 4 <> 0 AS with_deadline, (x / 31) % 10 < 8 AS on_time,
         r % 2 = 0 AS late
  FROM (SELECT (i * 2654435761) % 4294967296 AS x,
               (((i * 2654435761) % 4294967296) / 181440) % 100 AS r
        FROM generate_series(1, :n) AS i) AS g, towns
)
"""


def _measure_sums() -> str:
    sums = [f"sum((status = '{s}')::int)" for s in STATUSES]
    sums += [
        "sum((status = 'closed' AND with_deadline)::int)",
        "sum((status = 'closed' AND with_deadline AND on_time)::int)",
        "sum((level = 'major' AND status NOT IN ('closed', 'cancelled'))::int)",
        "sum((level = 'major' AND status = 'closed')::int)",
        "sum((status NOT IN ('closed', 'cancelled') AND with_deadline AND late)::int)",
    ]
    return ", ".join(sums)


CUBOIDS = {
    "region": "region_code, sector, level, found_month",
    "source": "region_code, sector, source, found_month",
    "department": "region_code, department_id, sector, found_month",
}


async def fill(url: str, n: int) -> None:
    engine = create_async_engine(url)
    started = time.perf_counter()
    async with engine.begin() as conn:
        for cuboid, key in CUBOIDS.items():
            await conn.execute(
                text(
                    f"TRUNCATE hazard_rollup_{cuboid}_folded, hazard_close_days_{cuboid}_folded, "
                    "hazard_rollup_delta"
                )
            )
            await conn.execute(
                text(
                    f"{SYNTHETIC} INSERT INTO hazard_rollup_{cuboid}_folded "  # noqa: S608
                    f"SELECT {key}, {_measure_sums()} FROM syn GROUP BY {key}"
                ),
                {"n": n, "county": COUNTY},
            )
            await conn.execute(
                text(
                    f"{SYNTHETIC} INSERT INTO hazard_close_days_{cuboid}_folded "  # noqa: S608
                    f"SELECT {key}, days, count(*) FROM syn "
                    f"WHERE status = 'closed' GROUP BY {key}, days"
                ),
                {"n": n, "county": COUNTY},
            )
        await conn.execute(text("TRUNCATE hazard_close_days_region_year_folded"))
        await conn.execute(
            text(
                f"{SYNTHETIC} INSERT INTO hazard_close_days_region_year_folded "  # noqa: S608
                "SELECT region_code, sector, level, extract(year FROM found_month)::smallint, "
                "days, count(*) FROM syn WHERE status = 'closed' GROUP BY 1, 2, 3, 4, 5"
            ),
            {"n": n, "county": COUNTY},
        )
        await conn.execute(
            text(
                "UPDATE hazard_overdue_clock SET as_of = (now() AT TIME ZONE 'Asia/Shanghai')::date"
            )
        )
    async with engine.connect() as conn:
        await conn.execute(text("COMMIT"))
        await conn.execute(text("VACUUM ANALYZE"))
        sizes = []
        for cuboid in (*CUBOIDS, "region_year"):
            for prefix in ("hazard_rollup_", "hazard_close_days_"):
                if cuboid == "region_year" and prefix == "hazard_rollup_":
                    continue
                count = (
                    await conn.execute(text(f"SELECT count(*) FROM {prefix}{cuboid}"))  # noqa: S608
                ).scalar_one()
                sizes.append(f"{prefix}{cuboid}={count}")
    await engine.dispose()
    print(
        f"{n} synthetic hazards aggregated in {time.perf_counter() - started:.0f}s: "
        + ", ".join(sizes),
        flush=True,
    )


QUERIES: list[dict[str, Any]] = [
    {},
    {"group_by": "region"},
    {"group_by": "sector"},
    {"group_by": "month"},
    {"group_by": "source"},
    {"group_by": "department"},
    {"group_by": "status"},
    {"group_by": ["region", "level"]},
    {"group_by": "region", "period_from": "2026-01"},
]
WITH_MEDIAN = [
    {**q, "median": "true"}
    for q in ({}, {"group_by": "region"}, {"group_by": "source"}, {"group_by": "month"})
]


async def measure(
    settings: Settings, requests: int, queries: list[dict[str, Any]], concurrency: int = 4
) -> None:
    app = create_app(settings)
    headers = {
        "Authorization": "Bearer "
        + mint_dev_token(
            settings, {"sub": "probe", "role": "committee_office", "region_code": COUNTY}
        )
    }
    latencies: list[float] = []
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://probe") as client,
    ):
        for query in queries:  # warm up
            assert (
                await client.get("/api/v1/statistics/hazards", params=query, headers=headers)
            ).status_code == 200

        async def worker(offset: int) -> None:
            for i in range(requests // concurrency):
                query = queries[(i + offset) % len(queries)]
                started = time.perf_counter()
                response = await client.get(
                    "/api/v1/statistics/hazards", params=query, headers=headers
                )
                latencies.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text

        await asyncio.gather(*(worker(k) for k in range(concurrency)))
    latencies.sort()
    p50 = latencies[len(latencies) // 2]
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(
        f"  {len(latencies)} requests, {concurrency} concurrent: p50 {p50:.1f} ms, "
        f"p99 {p99:.1f} ms, max {latencies[-1]:.1f} ms",
        flush=True,
    )


async def main(sizes: list[int]) -> None:
    server = pg.server_url()
    url = pg.with_database(server, "anjian_stats_probe")
    if "--reuse" not in sys.argv:
        url = await create_database(server, "anjian_stats_probe")
    settings = Settings(
        database_url=url,
        environment="test",
        dev_jwt_secret=SECRET,
        cursor_secret="probe-cursor-secret-0123456789abcdef",
        log_level="WARNING",
    )
    if "--reuse" not in sys.argv:
        await asyncio.to_thread(command.upgrade, alembic_config(settings.database_url), "head")
        engine = create_async_engine(settings.database_url)
        async with engine.begin() as conn:
            await load_regions(conn)
        await engine.dispose()
    for n in sizes:
        await fill(settings.database_url, n)
        print("  dashboard groupings (no median), one client:", flush=True)
        await measure(settings, 180, QUERIES, concurrency=1)
        print("  dashboard groupings (no median), 4 concurrent clients:", flush=True)
        await measure(settings, 400, QUERIES)
        print("  with median=true:", flush=True)
        await measure(settings, 40, WITH_MEDIAN)


if __name__ == "__main__":
    asyncio.run(main([int(a) for a in sys.argv[1:] if a.isdigit()] or [1_000_000, 10_000_000]))
