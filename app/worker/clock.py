"""Periodic jobs, coordinated through PostgreSQL only.

Each job has a row in ``clock_run``. A worker runs a job inside one transaction that holds that
row (``FOR UPDATE SKIP LOCKED``): a second worker skips it, a killed worker's transaction rolls
back (its lock goes with it, nothing half-done stays), and the job's effects and its
``next_run_at`` commit together. Jobs are idempotent on their own as well: every firing is
recorded in ``clock_firing`` under a unique (rule, subject, key), and the event or notification
is written only when that row is new.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import logging
import pkgutil
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.core import logs, metrics
from app.core.clock import refresh, today_china, utcnow
from app.core.workdays import WorkdayCalendar, load_calendar
from app.models.webhook import ClockRun

log = logging.getLogger("anjian.worker.clock")


@dataclass(frozen=True)
class JobContext:
    settings: Settings
    now: datetime
    today: date  # China
    calendar: WorkdayCalendar


Job = Callable[[AsyncSession, JobContext], Awaitable[dict[str, Any]]]
JOBS: dict[str, Job] = {}


def job(name: str) -> Callable[[Job], Job]:
    def register(fn: Job) -> Job:
        JOBS[name] = fn
        return fn

    return register


async def _context(session: AsyncSession, settings: Settings) -> JobContext:
    await refresh(session, settings.environment)  # the drill clock, as the API last set it
    return JobContext(
        settings=settings, now=utcnow(), today=today_china(), calendar=await load_calendar(session)
    )


@functools.cache
def _discover() -> None:
    """Import the clock's own jobs and every ``app/<domain>/jobs.py`` (they register with
    ``@job``): a domain adds periodic work without touching the worker."""
    import app
    import app.worker.jobs

    for module in pkgutil.iter_modules(app.__path__):
        name = f"app.{module.name}.jobs"
        if module.ispkg and module.name != "worker" and importlib.util.find_spec(name):
            try:
                importlib.import_module(name)
            except Exception:  # one broken domain must not stop the others' clock
                log.exception(
                    "cannot load the clock jobs of %s",
                    name,
                    extra=logs.event("clock_job_load_failed", module=name),
                )


def registry() -> dict[str, Job]:
    _discover()
    return JOBS


async def run_job(session: AsyncSession, settings: Settings, name: str) -> dict[str, Any]:
    """Run one job now in the caller's transaction (no scheduling): what tests call."""
    return await registry()[name](session, await _context(session, settings))


async def run_due_jobs(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    worker: str,
    *,
    force: bool = False,
) -> dict[str, dict[str, Any]]:
    """Run every job whose time has come and that no other worker is running."""
    results: dict[str, dict[str, Any]] = {}
    for name in sorted(registry()):
        started = time.perf_counter()
        try:
            async with sessionmaker() as session, session.begin():
                await refresh(session, settings.environment)
                now = utcnow()
                await session.execute(
                    insert(ClockRun).values(job=name, next_run_at=now).on_conflict_do_nothing()
                )
                stmt = select(ClockRun).where(ClockRun.job == name)
                if not force:
                    stmt = stmt.where(ClockRun.next_run_at <= now)
                run = (
                    await session.execute(stmt.with_for_update(skip_locked=True))
                ).scalar_one_or_none()
                if run is None:
                    continue
                lag = max(0.0, (now - run.next_run_at).total_seconds())
                result = await JOBS[name](session, await _context(session, settings))
                run.last_started_at = now
                run.last_finished_at = utcnow()
                run.last_worker = worker
                run.last_result = result
                run.next_run_at = now + timedelta(seconds=settings.clock_job_interval_seconds)
                results[name] = result
        except Exception:
            metrics.WORKER_JOBS.labels(name, "error").inc()
            log.exception(
                "clock job %s failed; it will be retried at the next tick",
                name,
                extra=logs.event(
                    "clock_job",
                    worker=worker,
                    job=name,
                    outcome="error",
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                ),
            )
            results[name] = {"error": True}
        else:
            metrics.WORKER_JOBS.labels(name, "ok").inc()
            metrics.WORKER_JOB_LAG.labels(name).set(lag)
            log.info(
                "clock job %s done",
                name,
                extra=logs.event(
                    "clock_job",
                    worker=worker,
                    job=name,
                    outcome="ok",
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                    lag_seconds=round(lag, 3),
                    result=results[name],
                ),
            )
    return results
