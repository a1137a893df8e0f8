"""Statistics work on the worker's clock (discovered by ``app.worker.clock``).

- ``roll_hazard_overdue_clock``: moves the rollups' overdue counters to today (China); figures
  are exact without it, only the direct correction grows.
- ``run_import_jobs``: runs queued (or abandoned) import jobs to the end. The clock's
  transaction only holds the scheduling lock; each import runs in its own session on the same
  engine, committing after every batch so its progress is visible.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.statistics.figures import repository as figures_repository
from app.statistics.imports.jobs import claim_next_import_job, run_import_job
from app.worker.clock import JobContext, job

MAX_JOBS_PER_TICK = 20


@job("roll_hazard_overdue_clock")
async def roll_hazard_overdue_clock(session: AsyncSession, ctx: JobContext) -> dict[str, Any]:
    moved = await figures_repository.roll_overdue_clock(session, ctx.today)
    return {"days_moved": moved}


@job("run_import_jobs")
async def run_import_jobs(session: AsyncSession, ctx: JobContext) -> dict[str, Any]:
    sessionmaker = async_sessionmaker(session.bind, expire_on_commit=False, autoflush=False)
    done = []
    for _ in range(MAX_JOBS_PER_TICK):
        async with sessionmaker() as own:
            job_id = await claim_next_import_job(own, ctx.settings)
            if job_id is None:
                break
            await run_import_job(own, job_id, ctx.settings)
            done.append(str(job_id))
    return {"jobs": done}
