"""The worker loop: fan out events, deliver webhooks, run due clock jobs; stop on SIGTERM.

Several workers (on several machines) may run at once: they coordinate only through PostgreSQL
(row locks with ``SKIP LOCKED``, claims with an expiry), never through each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import time
import uuid
from typing import Any

import httpx
import prometheus_client
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.core import logs, metrics
from app.core.clock import refresh
from app.statistics.figures.repository import fold_rollups
from app.worker import delivery, dispatch
from app.worker.clock import run_due_jobs

log = logging.getLogger("anjian.worker")


class Worker:
    def __init__(
        self,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        name: str | None = None,
        client: httpx.AsyncClient | None = None,
        clock: bool = True,
    ) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.client = client or delivery.http_client(settings)
        self.clock = clock
        self.stopping = asyncio.Event()
        self._next_clock_check = 0.0

    async def fan_out(self) -> int:
        total = 0
        while not self.stopping.is_set():
            async with self.sessionmaker() as session, session.begin():
                count = await dispatch.fan_out(session, self.settings)
            total += count
            if count < self.settings.webhook_batch_size:
                return total
        return total

    async def deliver(self) -> int:
        total = 0
        while not self.stopping.is_set():
            count = await delivery.deliver_due(
                self.sessionmaker, self.settings, self.client, self.name
            )
            total += count
            if count == 0:
                return total
        return total

    async def fold(self) -> int:
        """Fold the hazard statistics deltas the writers appended since the last tick."""
        async with self.sessionmaker() as session, session.begin():
            return await fold_rollups(session)

    async def tick(self) -> dict[str, Any]:
        """One pass over everything; returns what was done."""
        async with self.sessionmaker() as session:  # the drill clock, as the API last set it
            await refresh(session, self.settings.environment)
        done: dict[str, Any] = {"events": await self.fan_out(), "deliveries": await self.deliver()}
        done["rollup_deltas"] = await self.fold()
        now = time.monotonic()
        if self.clock and not self.stopping.is_set() and now >= self._next_clock_check:
            # due times live in the database; looking at them every few seconds is plenty
            self._next_clock_check = now + min(5.0, self.settings.clock_job_interval_seconds)
            done["jobs"] = await run_due_jobs(self.sessionmaker, self.settings, self.name)
        return done

    async def run(self) -> None:
        log.info(
            "worker %s started", self.name, extra=logs.event("worker_started", worker=self.name)
        )
        heartbeat = asyncio.create_task(self._heartbeat())
        try:
            while not self.stopping.is_set():
                try:
                    await self.tick()
                except Exception:
                    log.exception(
                        "worker tick failed; retrying",
                        extra=logs.event("tick_failed", worker=self.name),
                    )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopping.wait(), self.settings.worker_poll_seconds)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        log.info(
            "worker %s stopped", self.name, extra=logs.event("worker_stopped", worker=self.name)
        )

    async def _heartbeat(self) -> None:
        """Touch the heartbeat file while the event loop runs (the container's health check);
        whether the work keeps up is for the metrics to tell (job lag, backlog)."""
        path = self.settings.worker_heartbeat_file
        interval = max(1.0, self.settings.worker_heartbeat_max_age_seconds / 6)
        while True:
            try:
                path.touch()
            except OSError:
                log.warning(
                    "cannot touch the heartbeat file %s",
                    path,
                    extra=logs.event("heartbeat_failed", worker=self.name, path=str(path)),
                )
            await asyncio.sleep(interval)

    def stop(self) -> None:
        """Finish what is in hand (in-flight requests are recorded), then return from run()."""
        self.stopping.set()

    async def close(self) -> None:
        await self.client.aclose()


async def main(settings: Settings) -> None:
    from app.db import create_engine, create_sessionmaker

    engine = create_engine(settings)
    if settings.worker_metrics_port:
        metrics.instrument_pool(engine, settings.db_pool_size, settings.db_max_overflow)
        prometheus_client.start_http_server(
            settings.worker_metrics_port, addr=settings.worker_metrics_address
        )
    worker = Worker(settings, create_sessionmaker(engine))
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, worker.stop)
    try:
        await worker.run()
    finally:
        await worker.close()
        await engine.dispose()
