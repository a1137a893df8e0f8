"""The statistics stage of ``make bench``: a county's hazard figures at 10,000,000 hazards.

    python -m bench.run --only stats [--stats-hazards 10000000]   (0 skips the stage)

The database holds that many real hazard rows (the seed's 20,000 enterprises in 3 counties and
60 towns, and the seed's formulas for every counted column, so 1M and 10M share one
distribution) and rollups that are exactly what the triggers would have produced for them.
Seeding through the per-row rollup trigger runs ~1,600 rows/s (10M ≈ 2 h), so the load runs
set-based from 2 connections with the ``hazard_rollup`` trigger disabled and the hazard
table's secondary indexes dropped (then rebuilt from their own definitions); then
``anjian_hazard_rollup_rebuild()`` (migration 0009: the trigger's definitions as one GROUP BY
per table; a test checks it equals what the trigger builds) recounts the rollups in the
transaction that re-enables the trigger, and the row counts are checked. Foreign keys, the
change-stamp trigger and the generated columns run as usual. ~15 minutes on this machine.

The database is kept between runs: reused when its marker (size, schema revision) matches,
migrated and recounted when only the schema moved on. The stage then starts the service with
2 workers and loads the statistics endpoint with wrk, with the 1M "stats" scenario's script.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import asyncpg
from alembic.config import Config
from alembic.script import ScriptDirectory

import app.models  # noqa: F401  (registers every table on Base.metadata)
from app.models.base import Base
from bench import scenarios
from bench.seed import COUNTED_COLUMNS, STATUSES, WORDS, counted_values, seed
from tests import pg

ROOT = Path(__file__).resolve().parents[1]
CHINA = timezone(timedelta(hours=8))


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def _marker(hazards: int) -> str:
    head = ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini"))).get_current_head()
    return f"anjian bench stats v2: {hazards} hazards, rollups rebuilt, schema {head}"


def _migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    for module in (["alembic", "upgrade", "head"], ["app.reference.loader", "--if-empty"]):
        subprocess.run(
            [sys.executable, "-m", *module], cwd=ROOT, env=env, check=True, capture_output=True
        )


async def _mark(server: str, name: str, marker: str) -> None:
    admin = await asyncpg.connect(_dsn(server))
    try:
        await admin.execute(f"COMMENT ON DATABASE \"{name}\" IS '{marker}'")
    finally:
        await admin.close()


async def prepare_stats_database(server: str, hazards: int, enterprises: int) -> str:
    """A database with ``hazards`` real hazards and exact rollups, kept between runs: reused
    as is, or migrated and recounted when only the schema moved on, else built anew."""
    name = f"anjian_bench_stats_{hazards}"
    url = pg.with_database(server, name)
    marker = _marker(hazards)
    admin = await asyncpg.connect(_dsn(server))
    try:
        found = await admin.fetchrow(
            "SELECT coalesce(shobj_description(oid, 'pg_database'), '') AS note "
            "FROM pg_database WHERE datname = $1",
            name,
        )
        same_data = (
            found is not None
            and found["note"].split(", schema ")[0] == (marker.split(", schema ")[0])
        )
        if same_data and found["note"] == marker:
            return url
        if found is not None and not same_data:
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not same_data:
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    if same_data:
        print(f"  {name}: migrating to the current schema, then recounting the rollups", flush=True)
        await _mark(server, name, "")  # rebuilt from scratch if interrupted from here on
        await asyncio.to_thread(_migrate, url)
        conn = await asyncpg.connect(_dsn(url))
        try:
            await conn.execute("SET work_mem = '256MB'")
            await _step("recounting the rollups", conn.fetchval(REBUILD))
        finally:
            await conn.close()
    else:
        await asyncio.to_thread(_migrate, url)
        await _bulk_load(url, hazards, enterprises)
    await _mark(server, name, marker)
    return url


async def _step(label: str, work: Any) -> Any:
    print(f"  {label} …", flush=True)
    started = time.perf_counter()
    result = await work
    print(f"  {label}: {time.perf_counter() - started:.0f} s", flush=True)
    return result


# The seed's formulas for every counted column (bench.seed.counted_values), so 1M and 10M share
# a distribution; the title is one seed word and there is no description: the search n-grams
# (a generated column) cost ~0.25 ms a row for the seed's longer text, an hour at 10M on this
# machine, and no statistic reads them.
HAZARDS = f"""
INSERT INTO hazard (id, code, title, {COUNTED_COLUMNS})
SELECT gen_random_uuid(), left(e.region_code, 6) || '-2026-' || lpad(i::text, 8, '0'),
       ($2::text[])[1 + i % 16], {counted_values("$3::text[]")}
FROM generate_series($4::bigint, $5::bigint) AS i
JOIN bench_stats_enterprise AS e ON e.n = 1 + i % $1
"""
BATCH = 250_000
REBUILD = "SELECT anjian_hazard_rollup_rebuild()"  # migration 0009
LOADERS = 2


async def _insert_hazards(url: str, hazards: int, enterprises: int) -> None:
    starts = list(range(1, hazards + 1, BATCH))

    async def loader() -> None:
        conn = await asyncpg.connect(_dsn(url))
        try:
            await conn.execute("SET synchronous_commit = off")
            while starts:
                first = starts.pop(0)
                last = min(first + BATCH - 1, hazards)
                await conn.execute(HAZARDS, enterprises, WORDS, STATUSES, first, last)
                print(f"    {last:,} / {hazards:,}", flush=True)
        finally:
            await conn.close()

    await asyncio.gather(*(loader() for _ in range(LOADERS)))


async def _bulk_load(url: str, hazards: int, enterprises: int) -> None:
    conn = await asyncpg.connect(_dsn(url))
    try:
        await seed(conn, enterprises, 0)  # the seed's enterprises (and no hazards)
        await conn.execute(
            "CREATE UNLOGGED TABLE bench_stats_enterprise AS "
            "SELECT row_number() OVER (ORDER BY id) AS n, id, region_code, sectors "
            "FROM enterprise WHERE uscc LIKE 'B%'"
        )
        await conn.execute("CREATE UNIQUE INDEX ON bench_stats_enterprise (n)")
        await conn.execute("ANALYZE bench_stats_enterprise")
        await conn.execute("SET maintenance_work_mem = '1GB'")
        await conn.execute("SET work_mem = '256MB'")
        indexes = await conn.fetch(
            "SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS ddl "
            "FROM pg_index AS i WHERE i.indrelid = 'hazard'::regclass AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid)"
        )
        for index in indexes:
            await conn.execute(f'DROP INDEX "{index["name"]}"')
        await conn.execute("ALTER TABLE hazard DISABLE TRIGGER hazard_rollup")
        await _step(
            f"inserting {hazards:,} hazards, {LOADERS} connections (rollup trigger off)",
            _insert_hazards(url, hazards, enterprises),
        )
        await conn.execute("DROP TABLE bench_stats_enterprise")

        async def rebuild_indexes() -> None:
            for index in indexes:
                await conn.execute(index["ddl"])

        await _step(f"rebuilding {len(indexes)} hazard indexes", rebuild_indexes())

        async def rebuild_rollups() -> int:
            async with conn.transaction():
                await conn.execute("ALTER TABLE hazard ENABLE TRIGGER hazard_rollup")
                live: int = await conn.fetchval(REBUILD)
            return live

        live = await _step(
            "recounting the rollups (anjian_hazard_rollup_rebuild)", rebuild_rollups()
        )
        counted = await conn.fetchval("SELECT count(*) FROM hazard WHERE deleted_at IS NULL")
        if live != counted or counted != hazards:
            raise RuntimeError(f"rollups count {live} hazards, the table {counted}, not {hazards}")
        await _step("VACUUM ANALYZE", conn.execute("VACUUM ANALYZE"))
    finally:
        await conn.close()


# every table the rollup trigger maintains, from the models (the migrations are frozen copies)
ROLLUPS = tuple(
    name
    for name in Base.metadata.tables
    if name.startswith(("hazard_rollup_", "hazard_close_days_"))
)


async def settle(url: str) -> None:
    """What the worker and autovacuum do on a live system, before measuring: move the overdue
    counters to today (a database kept from an earlier day would otherwise count the missed
    days per request) and compact the rollups. Seeding 1M hazards through the trigger updates
    each of ~5,000 rollup rows ~200 times in ten minutes, with autovacuum off on this server:
    71 MB of dead versions for 1 MB of rows (a county query 7 ms instead of 1 ms), a state a
    live system with autovacuum does not reach. Runs before the service starts."""
    conn = await asyncpg.connect(_dsn(url))
    try:
        today = datetime.now(CHINA).date()
        await conn.execute("SELECT anjian_hazard_roll_overdue($1)", today)
        await conn.execute("SELECT anjian_hazard_rollup_fold()")  # the worker's job
        await conn.execute(f"VACUUM (FULL, ANALYZE) {', '.join(ROLLUPS)}")
    finally:
        await conn.close()


async def stage(
    server: str, hazards: int, enterprises: int, token: str, workdir: Path, args: Any
) -> dict[str, Any]:
    """wrk on ``GET /statistics/hazards`` of a county (the 1M "stats" scenario's requests)."""
    from bench.run import run_wrk, start_server, stop_server  # run imports this module

    print(f"[stats] {hazards:,} hazards", flush=True)
    url = await prepare_stats_database(server, hazards, enterprises)
    await settle(url)
    conn = await asyncpg.connect(_dsn(url))
    try:
        sizes = {
            table: await conn.fetchval(f"SELECT count(*) FROM {table}")
            for table in ("hazard_rollup_region", "hazard_close_days_region")
        }
        in_county = await conn.fetchval(
            "SELECT sum(n_reported + n_registered + n_planning + n_rectifying + "
            "n_extension_requested + n_pending_verification + n_escalated + n_closed + "
            "n_cancelled) FROM hazard_rollup_region WHERE region_code LIKE $1 || '%'",
            scenarios.COUNTY,
        )
    finally:
        await conn.close()
    proc = start_server(url)
    try:
        script = scenarios.stats_script(workdir, token, {})
        # a fresh server's first seconds (pools, caches) are discarded: the 1M "stats" scenario
        # runs on a server already warmed by the five scenarios before it
        run_wrk(script, 5, args.connections)
        figures = run_wrk(script, args.duration, args.connections)
        light = run_wrk(script, args.duration, args.stats_light_connections)
    finally:
        stop_server(proc)
    print(f"  stats    service {figures}", flush=True)
    print(f"  stats    {args.stats_light_connections} connections {light}", flush=True)
    return {
        "hazards": hazards,
        "county": scenarios.COUNTY,
        "county_hazards": int(in_county or 0),
        "rollup_rows": sizes,
        "service": figures,
        "light": {**light, "connections": args.stats_light_connections},
    }


def report(results: dict[str, Any]) -> None:
    """The statistics latency at each size (issue: p50 ≤ 100 ms, p99 ≤ 300 ms at both)."""
    rows = dict(results.get("statistics", {}))
    if not rows:
        return
    print(f"\nhazard statistics of county {scenarios.COUNTY} (target p50 ≤ 100 ms, p99 ≤ 300 ms)")
    print(
        f"{'hazards':>12s} {'conns':>6s} {'req/s':>9s} {'p50 ms':>8s} {'p99 ms':>8s} "
        f"{'non-2xx':>8s}"
    )
    for size, entry in sorted(rows.items(), key=lambda kv: int(kv[0])):
        loads = [(results.get("connections", 64), entry["service"])]
        if "light" in entry:
            loads.append((entry["light"]["connections"], entry["light"]))
        for connections, s in loads:
            print(
                f"{int(size):12,d} {connections:6d} {s['rps']:9.0f} {s['p50_ms']:8.1f} "
                f"{s['p99_ms']:8.1f} {s['errors']:8.0f}"
            )
