"""``python -m app.worker`` runs, does its work, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.config import Settings
from app.models.webhook import ClockRun
from tests.events.builders import committed

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_sigterm_graceful_shutdown(
    engine: AsyncEngine, settings: Settings, tmp_path: Path
) -> None:
    heartbeat = tmp_path / "heartbeat"
    metrics_port = free_port()
    async with committed(engine) as maker:
        env = {
            **os.environ,
            "ANJIAN_DATABASE_URL": settings.database_url,
            "ANJIAN_ENVIRONMENT": "test",
            "ANJIAN_WORKER_POLL_SECONDS": "0.2",
            "ANJIAN_WORKER_HEARTBEAT_FILE": str(heartbeat),
            "ANJIAN_WORKER_METRICS_PORT": str(metrics_port),
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "app.worker",
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            # the clock jobs ran once: the worker is up (its start takes long on a loaded machine)
            deadline = asyncio.get_running_loop().time() + 180
            while asyncio.get_running_loop().time() < deadline:
                async with maker() as session:
                    count = (
                        await session.execute(select(func.count()).select_from(ClockRun))
                    ).scalar_one()
                if count >= 8:
                    break
                await asyncio.sleep(0.1)
            assert count >= 8
            await asyncio.sleep(0.5)  # the jobs' transactions commit before their counters move
            async with httpx.AsyncClient() as http:
                scraped = await http.get(f"http://127.0.0.1:{metrics_port}/metrics")
            assert scraped.status_code == 200
            assert 'anjian_worker_jobs_total{job="purge_idempotency_records",outcome="ok"}' in (
                scraped.text
            )
            assert "anjian_db_pool_connections_max 15.0" in scraped.text
            healthcheck = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "app.healthcheck", cwd=ROOT, env=env
            )
            assert await asyncio.wait_for(healthcheck.wait(), 60) == 0  # a worker, beating
            proc.send_signal(signal.SIGTERM)
            output, _ = await asyncio.wait_for(proc.communicate(), 20)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        assert proc.returncode == 0, output.decode()
        lines = [json.loads(line) for line in output.decode().splitlines()]
        events = [line["event"] for line in lines]
        assert events[0] == "worker_started"
        assert events[-1] == "worker_stopped"
        job = next(line for line in lines if line["event"] == "clock_job")
        assert set(job) >= {"time", "level", "logger", "message", "worker", "job", "outcome"}
        assert {"duration_ms", "lag_seconds", "result"} <= set(job)
        assert job["worker"] == lines[0]["worker"]
