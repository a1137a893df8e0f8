"""The worker's side of imports: claim a queued job, run it in committed batches, resume
a job whose worker went silent. Register both with ``python -m app.worker``."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import record_audit
from app.config import Settings, get_settings
from app.core.clock import utcnow
from app.core.errors import AppError
from app.statistics.enums import ImportFileFormat, ImportJobStatus, ImportKind
from app.statistics.imports import repository
from app.statistics.imports.principals import principal_from
from app.statistics.imports.service import RESOURCE, emit_job_event, process_rows, spec_for


async def claim_next_import_job(
    session: AsyncSession, settings: Settings | None = None
) -> uuid.UUID | None:
    """Claim the oldest queued job (or a running one whose worker went silent) and commit."""
    settings = settings or get_settings()
    now = utcnow()
    job_id = await repository.claim_next(
        session, now, now - timedelta(seconds=settings.import_lease_seconds)
    )
    await session.commit()
    return job_id


async def run_import_job(
    session: AsyncSession, job_id: uuid.UUID, settings: Settings | None = None
) -> None:
    """Process a claimed job to the end, committing after every batch (and at the end).

    Pass a fresh session that is not inside an outer transaction; on a job-level failure the
    job is marked ``failed`` with the reason and committed; the exception is not re-raised.
    """
    settings = settings or get_settings()
    job = await repository.load(session, job_id)
    if job is None or job["status"] in (ImportJobStatus.succeeded, ImportJobStatus.failed):
        return
    principal = principal_from(job["principal"])
    kind = ImportKind(job["kind"])
    try:
        await process_rows(
            session,
            settings,
            job_id,
            spec_for(kind),
            principal,
            job["content"] or b"",
            ImportFileFormat(job["file_format"]),
            dry_run=job["dry_run"],
            start_after=job["processed_rows"],
            commit_batches=True,
        )
        emit_job_event(session, "import_job.completed", job_id, ImportJobStatus.succeeded, kind)
        record_audit(
            session,
            principal,
            action="complete",
            resource_type=RESOURCE,
            resource_id=job_id,
            changes={"status": {"old": "running", "new": "succeeded"}},
        )
        await session.commit()
    except Exception as err:  # a job-level failure: record it, never crash the worker
        await session.rollback()
        reason = err.detail_en if isinstance(err, AppError) else type(err).__name__
        await repository.set_progress(
            session,
            job_id,
            status=ImportJobStatus.failed.value,
            failure=reason,
            finished_at=utcnow(),
            content=None,
        )
        emit_job_event(session, "import_job.failed", job_id, ImportJobStatus.failed, kind)
        record_audit(
            session,
            principal,
            action="fail",
            resource_type=RESOURCE,
            resource_id=job_id,
            changes={"status": {"old": "running", "new": "failed"}},
        )
        await session.commit()
