"""``python -m app.worker`` runs, does its work, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.config import Settings
from app.models.webhook import ClockRun
from tests.events.builders import committed

ROOT = Path(__file__).resolve().parents[2]


async def test_sigterm_graceful_shutdown(engine: AsyncEngine, settings: Settings) -> None:
    async with committed(engine) as maker:
        env = {
            **os.environ,
            "ANJIAN_DATABASE_URL": settings.database_url,
            "ANJIAN_ENVIRONMENT": "test",
            "ANJIAN_WORKER_POLL_SECONDS": "0.2",
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
            for _ in range(300):  # the clock jobs ran once: the worker is up
                async with maker() as session:
                    count = (
                        await session.execute(select(func.count()).select_from(ClockRun))
                    ).scalar_one()
                if count >= 8:
                    break
                await asyncio.sleep(0.1)
            assert count >= 8
            proc.send_signal(signal.SIGTERM)
            output, _ = await asyncio.wait_for(proc.communicate(), 20)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        assert proc.returncode == 0, output.decode()
        assert b"stopped" in output
