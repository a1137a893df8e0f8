"""Measure the memory of a streamed 1,000,000-row export (run by hand, not by pytest).

``python -m tests.exports.memory_probe [rows] [--drop]``: makes a scratch database on the test
server (kept for the next run unless ``--drop``), migrates it, inserts ``rows`` enterprises with
one SQL statement, then streams
``GET /api/v1/enterprises/export`` (CSV, then XLSX) through a real uvicorn server (a subprocess) and
prints bytes, rows, seconds and the server process's resident memory before, during (sampled at
every chunk) and after.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from alembic import command
from httpx import AsyncClient, TransportError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from app.auth.tokens import mint_dev_token
from app.config import Settings
from app.reference.loader import load_regions
from app.reference.seed import load_reference_data
from tests import pg
from tests.conftest import alembic_config, create_database, drop_database

SECRET = "probe-secret-for-hs256-development-tokens"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


PORT = _free_port()


def rss_mib(pid: int) -> tuple[float, float]:
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    fields = dict(line.split(":", 1) for line in status)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


async def _wait_ready() -> None:
    async with AsyncClient(base_url=f"http://127.0.0.1:{PORT}") as client:
        for _ in range(600):
            try:
                await client.get("/openapi.json")
                return
            except TransportError:
                await asyncio.sleep(0.2)
    raise RuntimeError("server did not start")


async def prepare(server: str, name: str, rows: int) -> str:
    """The probe database with ``rows`` enterprises (kept between runs: the insert is slow)."""
    url = pg.with_database(server, name)
    engine = create_async_engine(Settings(database_url=url).database_url)
    try:
        async with engine.connect() as conn:
            have = (await conn.execute(text("SELECT count(*) FROM enterprise"))).scalar_one()
        if have == rows:
            print(f"reusing {name} with {rows} rows", flush=True)
            return url
    except Exception:  # noqa: S110 - missing database or table: build it below
        pass
    finally:
        await engine.dispose()
    url = await create_database(server, name)
    settings = Settings(database_url=url)
    await asyncio.to_thread(command.upgrade, alembic_config(settings.database_url), "head")
    engine = create_async_engine(settings.database_url)
    async with engine.begin() as conn:
        await load_regions(conn)
        await load_reference_data(conn)
    started = time.perf_counter()
    async with engine.begin() as conn:  # search indexes only slow the bulk insert down
        await conn.execute(text("DROP INDEX ix_enterprise_name_ngrams, ix_enterprise_sectors"))
        await conn.execute(
            text("""
            INSERT INTO enterprise (id, uscc, name, kind, region_code, address, sectors,
                main_responsible_person, licences, status, version)
            SELECT gen_random_uuid(), '91330106' || lpad(i::text, 9, '0') || 'X',
                   '杭州测试化工有限公司' || i, 'enterprise', '330106002',
                   '西湖区某路' || i || '号',
                   ARRAY['hazchem'], jsonb_build_object('name', '张三', 'phone', '13812345678'),
                   '[]'::jsonb, 'operating', 1
            FROM generate_series(1, :rows) AS i"""),
            {"rows": rows},
        )
    async with engine.connect() as conn:  # fresh statistics, as autovacuum would make them
        await conn.execute(text("COMMIT"))
        await conn.execute(text("ANALYZE enterprise"))
    print(f"inserted {rows} rows in {time.perf_counter() - started:.1f}s", flush=True)
    await engine.dispose()
    return url


async def main(rows: int, drop: bool) -> None:
    server = pg.server_url()
    name = "anjian_export_probe"
    url = await prepare(server, name, rows)
    try:
        settings = Settings(
            database_url=url,
            environment="test",
            dev_jwt_secret=SECRET,
            cursor_secret="probe-cursor-secret-0123456789abcdef",
        )
        env = {
            **os.environ,
            "ANJIAN_DATABASE_URL": settings.database_url,
            "ANJIAN_ENVIRONMENT": "test",
            "ANJIAN_DEV_JWT_SECRET": SECRET,
            "ANJIAN_CURSOR_SECRET": settings.cursor_secret,
            "ANJIAN_LOG_LEVEL": "WARNING",
        }
        server_proc = subprocess.Popen(  # noqa: S603, ASYNC220 - a probe, fixed argv
            [
                sys.executable,
                "-m",
                "uvicorn",
                "app.main:create_app",
                "--factory",
                "--port",
                str(PORT),
                "--log-level",
                "warning",
            ],
            env=env,
        )
        try:
            await _wait_ready()
            headers = {
                "Authorization": "Bearer "
                + mint_dev_token(settings, {"sub": "probe", "role": "admin"}),
                "Accept-Language": "zh-CN",
            }
            async with AsyncClient(base_url=f"http://127.0.0.1:{PORT}", timeout=None) as client:  # noqa: S113
                for fmt in ("csv", "xlsx"):
                    before = rss_mib(server_proc.pid)
                    peak_seen = before[0]
                    started = time.perf_counter()
                    size = lines = 0
                    async with client.stream(
                        "GET", "/api/v1/enterprises/export", params={"format": fmt}, headers=headers
                    ) as resp:
                        assert resp.status_code == 200, await resp.aread()
                        async for chunk in resp.aiter_bytes():
                            size += len(chunk)
                            lines += chunk.count(b"\n") if fmt == "csv" else 0
                            peak_seen = max(peak_seen, rss_mib(server_proc.pid)[0])
                    after = rss_mib(server_proc.pid)
                    print(
                        f"{fmt}: {size / 1e6:.1f} MB in {time.perf_counter() - started:.1f}s;"
                        f" server RSS before {before[0]:.0f} MiB, max sampled during "
                        f"{peak_seen:.0f} MiB, after {after[0]:.0f} MiB (VmHWM {after[1]:.0f})"
                        + (f"; {lines - 1} data rows" if fmt == "csv" else ""),
                        flush=True,
                    )
        finally:
            server_proc.terminate()
            server_proc.wait(30)
    finally:
        if drop:
            await drop_database(server, name)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--drop"]
    asyncio.run(main(int(args[0]) if args else 1_000_000, "--drop" in sys.argv))
