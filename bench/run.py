"""``make bench``: seed, serve with 2 workers, load with wrk at 64 connections, compare to raw.

    python -m bench.run [--hazards 1000000] [--small 10000] [--duration 15] [--connections 64]
                        [--stats-hazards 10000000] [--stats-light-connections 8]
                        [--only stats|writes]

Prints requests/s, p50 and p99 for each scenario, the raw asyncpg figures for the same reads,
the ratio service ÷ raw, and the page latency at the large size ÷ at the small size. Results
are also written to bench/out/results.json. A measurement, never a test. The statistics are
measured at both sizes: the "stats" scenario at --hazards, and a stage at --stats-hazards
(bench/stats.py; 0 skips it), each also at --stats-light-connections (a dashboard-sized
load). --only stats runs just those. The mixed-write scenario (bench/writes.py: 64 connections
creating hazards and racing for their lifecycle steps, answers counted by status) runs on a
fresh database of its own; --only writes runs just it (about --duration + 20 s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from app.auth.tokens import mint_dev_token
from app.config import Settings
from bench import scenarios, stats, sync_lag, writes
from bench.seed import seed
from tests import pg

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
SECRET = "bench-dev-secret-0123456789abcdef0123456789"
PORT = int(os.environ.get("BENCH_PORT", "8765"))  # another free port on a shared machine


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def migrate(url: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
    )


async def prepare_database(server: str, name: str, enterprises: int, hazards: int) -> str:
    """A database seeded at exactly this size (kept between runs; rebuilt when it differs)."""
    url = pg.with_database(server, name)
    admin = await asyncpg.connect(_dsn(server))
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists:
            conn = await asyncpg.connect(_dsn(url))
            try:
                seeded = (
                    await conn.fetchval(
                        "SELECT count(*) FROM hazard WHERE reported_by = 'bench' "
                        "AND reported_by_role = 'inspector'"
                    )
                    if await conn.fetchval("SELECT to_regclass('hazard') IS NOT NULL")
                    else 0
                )
            finally:
                await conn.close()
            if seeded == hazards:
                migrate(url)  # a kept database follows the schema's later migrations
                return url
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    migrate(url)
    subprocess.run(
        [sys.executable, "-m", "app.reference.loader", "--if-empty"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
    )
    conn = await asyncpg.connect(_dsn(url))
    try:
        print(
            f"  seeding {hazards:,} hazards over {enterprises:,} enterprises in {name} …",
            flush=True,
        )
        started = time.perf_counter()
        await seed(conn, enterprises, hazards)
        print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)
    finally:
        await conn.close()
    return url


def start_server(
    url: str, app: str = "app.main:create_app", ready_seconds: float = 60
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ANJIAN_DEV_JWT_SECRET": SECRET,
        "ANJIAN_ENVIRONMENT": "development",
        "ANJIAN_LOG_LEVEL": "WARNING",
        "ANJIAN_DB_POOL_SIZE": "10",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--factory",
            "--port",
            str(PORT),
            "--workers",
            "2",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.time() + ready_seconds
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{PORT}/readyz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stop_server(proc)
    raise RuntimeError("the service did not become ready")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * _UNITS[unit]


def run_wrk(script: Path, duration: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(connections),
            "-d",
            f"{duration}s",
            "--latency",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{PORT}",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps_match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50_match = re.search(r"50%\s+([\d.]+(?:us|ms|s))", out)
    p99_match = re.search(r"99%\s+([\d.]+(?:us|ms|s))", out)
    if not (rps_match and p50_match and p99_match):
        print(out, file=sys.stderr)
        return {"rps": 0.0, "p50_ms": 0.0, "p99_ms": 0.0, "errors": -1.0, "timeouts": 0.0}
    rps = float(rps_match.group(1))
    p50, p99 = _ms(p50_match.group(1)), _ms(p99_match.group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"timeout (\d+)", out)
    return {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "errors": float(non2xx.group(1)) if non2xx else 0.0,
        "timeouts": float(timeouts.group(1)) if timeouts else 0.0,
    }


async def run_raw(
    url: str, sql: str, args_for: Any, duration: int, connections: int
) -> dict[str, float]:
    """The same read straight through asyncpg (no framework): the ceiling to compare with."""
    pool = await asyncpg.create_pool(_dsn(url), min_size=20, max_size=20)
    latencies: list[float] = []
    stop = time.perf_counter() + duration

    async def client() -> None:
        while time.perf_counter() < stop:
            started = time.perf_counter()
            async with pool.acquire() as conn:
                await conn.fetch(sql, *args_for())
            latencies.append((time.perf_counter() - started) * 1000)

    await asyncio.gather(*(client() for _ in range(connections)))
    await pool.close()
    latencies.sort()
    return {
        "rps": len(latencies) / duration,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1],
        "errors": 0.0,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hazards", type=int, default=1_000_000)
    parser.add_argument("--enterprises", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--stats-hazards", type=int, default=10_000_000)
    # statistics also under a dashboard-sized load (a handful of leaders' screens at once)
    parser.add_argument("--stats-light-connections", type=int, default=8)
    parser.add_argument("--only", choices=["stats", "writes", "sync"], default=None)
    parser.add_argument("--sync-writers", type=int, default=16)
    parser.add_argument("--sync-duration", type=float, default=20.0)
    args = parser.parse_args()
    server = os.environ.get("BENCH_DATABASE_URL") or pg.server_url()
    if args.only == "sync":
        await sync_stage(args.sync_writers, args.sync_duration, 1.0)
        return
    if args.only == "writes":
        await write_stage(server, args)
        return
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk); `make bench` installs it")
    results: dict[str, Any] = {
        "hazards": args.hazards,
        "connections": args.connections,
        "duration_s": args.duration,
        "scenarios": {},
    }
    token = mint_dev_token(
        Settings(database_url="postgresql://x@x/x", dev_jwt_secret=SECRET),
        {"sub": "bench", "role": "admin"},
        ttl_seconds=7200,
    )
    workdir = Path(tempfile.mkdtemp(prefix="anjian-bench-"))
    page_latency: dict[str, float] = {}
    for label, size in (("small", args.small), ("large", args.hazards)):
        if args.only and label == "small":
            continue
        print(f"[{label}] {size:,} hazards", flush=True)
        url = await prepare_database(
            server,
            f"anjian_bench_{size}",
            args.enterprises if size >= 100_000 else max(200, size // 50),
            size,
        )
        fixtures = await scenarios.fixtures(_dsn(url))
        await stats.settle(url)
        proc = start_server(url)
        try:
            for name, make_script in scenarios.SERVICE.items():
                if (label == "small" and name != "page") or args.only not in (None, name):
                    continue
                script = make_script(workdir, token, fixtures)
                if args.only:  # warm a fresh server, as the scenarios before it do in a full run
                    run_wrk(script, 5, args.connections)
                figures = run_wrk(script, args.duration, args.connections)
                if label == "small":
                    page_latency["small_p50_ms"] = figures["p50_ms"]
                    continue
                results["scenarios"][name] = {"service": figures}
                print(f"  {name:8s} service {figures}", flush=True)
                if name == "stats":
                    light = run_wrk(script, args.duration, args.stats_light_connections)
                    results["scenarios"][name]["light"] = {
                        **light,
                        "connections": args.stats_light_connections,
                    }
                    print(f"  {name:8s} {args.stats_light_connections} connections {light}")
                if name == "page":
                    page_latency["large_p50_ms"] = figures["p50_ms"]
        finally:
            stop_server(proc)
        if label == "large" and not args.only:
            await measure_floor(url, token, fixtures, workdir, args, results)
            for name, (sql, args_for) in scenarios.raw(fixtures).items():
                raw = await run_raw(url, sql, args_for, args.duration, args.connections)
                entry = results["scenarios"][name]
                entry["raw"] = raw
                entry["ratio"] = round(entry["service"]["rps"] / raw["rps"], 3)
                if "floor" in entry:
                    entry["floor_ratio"] = round(entry["floor"]["rps"] / raw["rps"], 3)
                print(f"  {name:8s} raw     {raw}", flush=True)
    if "stats" in results["scenarios"]:
        results["statistics"] = {str(args.hazards): results["scenarios"]["stats"]}
    if args.stats_hazards:
        results.setdefault("statistics", {})[str(args.stats_hazards)] = await stats.stage(
            server, args.stats_hazards, args.enterprises, token, workdir, args
        )
    results["sync_lag"] = await sync_stage(args.sync_writers, args.sync_duration, 1.0, save=False)
    if page_latency:
        results["page_latency"] = {
            **page_latency,
            "ratio_large_to_small": round(
                page_latency["large_p50_ms"] / max(page_latency["small_p50_ms"], 0.001), 2
            ),
        }
    OUT.mkdir(parents=True, exist_ok=True)
    name = f"results-{args.only}.json" if args.only else "results.json"  # a part: aside
    (OUT / name).write_text(json.dumps(results, indent=2))
    print_report(results)
    if not args.only:
        await write_stage(server, args)


async def write_stage(server: str, args: argparse.Namespace) -> dict[str, Any]:
    """bench/writes.py on a fresh database: the answers of a mixed write load by status."""
    name = "anjian_bench_writes"
    admin = await asyncpg.connect(_dsn(server))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = pg.with_database(server, name)
    migrate(url)
    subprocess.run(
        [sys.executable, "-m", "app.reference.loader", "--if-empty"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
    )
    token = mint_dev_token(
        Settings(database_url="postgresql://x@x/x", dev_jwt_secret=SECRET),
        {"sub": "bench-writes", "role": "admin"},
        ttl_seconds=7200,
    )
    proc = start_server(url)
    try:
        result = await writes.run(
            f"http://127.0.0.1:{PORT}", token, _dsn(url), args.duration, args.connections
        )
    finally:
        stop_server(proc)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results-writes.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    writes.report(result)
    return result


async def sync_stage(
    writers: int, duration: float, poll: float, *, save: bool = True
) -> dict[str, Any]:
    """Delta-sync lag (bench/sync_lag.py) on a small database of its own: the followers' reads
    do not depend on the table size (index on the sync stamps), the writers' rate does not
    either, and the run stays short (≤ duration + 15 s drain + start-up)."""
    server = os.environ.get("BENCH_DATABASE_URL") or pg.server_url()
    print(f"[sync] {writers} writers for {duration:g} s, followers poll every {poll:g} s")
    url = await prepare_database(server, "anjian_bench_sync_1000", 200, 1000)
    token = mint_dev_token(
        Settings(database_url="postgresql://x@x/x", dev_jwt_secret=SECRET),
        {"sub": "bench-sync", "role": "admin"},
        ttl_seconds=7200,
    )
    proc = start_server(url, ready_seconds=240)  # a loaded shared machine starts slowly
    try:
        result = await sync_lag.measure(f"http://127.0.0.1:{PORT}", token, writers, duration, poll)
    finally:
        stop_server(proc)
    if save:
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "results-sync.json").write_text(json.dumps(result, indent=2))
    return result


async def measure_floor(
    url: str,
    token: str,
    fixtures: dict[str, Any],
    workdir: Path,
    args: argparse.Namespace,
    results: dict[str, Any],
) -> None:
    """The same reads served by FastAPI + asyncpg alone (bench/floor.py): the fixed stack's
    ceiling, between raw asyncpg and the service."""
    proc = start_server(url, "bench.floor:create_app")
    try:
        for name in FLOOR_SCENARIOS:
            script = scenarios.SERVICE[name](workdir, token, fixtures)
            run_wrk(script, 3, args.connections)  # warm the workers
            figures = run_wrk(script, args.duration, args.connections)
            results["scenarios"][name]["floor"] = figures
            print(f"  {name:8s} floor   {figures}", flush=True)
    finally:
        stop_server(proc)


FLOOR_SCENARIOS = ("read", "page", "action")


def print_report(results: dict[str, Any]) -> None:
    print(
        f"\nAnjian benchmark — {results['hazards']:,} hazards, {results['connections']} "
        f"connections, {results['duration_s']} s per scenario, 2 workers"
    )
    print(
        f"{'scenario':10s} {'req/s':>9s} {'p50 ms':>8s} {'p99 ms':>8s} {'raw req/s':>10s} "
        f"{'raw p99':>8s} {'ratio':>6s} {'non-2xx':>8s}"
    )
    for name, entry in results["scenarios"].items():
        s, r = entry["service"], entry.get("raw")
        print(
            f"{name:10s} {s['rps']:9.0f} {s['p50_ms']:8.1f} {s['p99_ms']:8.1f} "
            f"{(r['rps'] if r else 0):10.0f} {(r['p99_ms'] if r else 0):8.1f} "
            f"{entry.get('ratio', ''):>6} {s['errors']:8.0f}"
        )
    floors = {n: e for n, e in results["scenarios"].items() if "floor" in e}
    if floors:
        print("framework floor (bench/floor.py: FastAPI + asyncpg, nothing else):")
        for name, entry in floors.items():
            f = entry["floor"]
            print(
                f"{name + ' floor':16s} {f['rps']:9.0f} {f['p50_ms']:8.1f} {f['p99_ms']:8.1f} "
                f"{'':10s} {'':8s} {entry.get('floor_ratio', ''):>6}"
            )
    if "page_latency" in results:
        pl = results["page_latency"]
        print(f"page p50 at {results['hazards']:,} ÷ at small size: {pl['ratio_large_to_small']}")
    stats.report(results)


if __name__ == "__main__":
    random.seed(1)
    asyncio.run(main())
