"""Import job queries: a job is visible to the caller who submitted it (and to admins)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal, Role
from app.enterprises.repository import scope_predicate as enterprise_scope
from app.models.enterprise import Enterprise
from app.models.statistics import ImportJob, ImportJobError

J = ImportJob
READ_COLUMNS = (
    J.id,
    J.kind,
    J.status,
    J.dry_run,
    J.filename,
    J.file_format,
    J.total_rows,
    J.processed_rows,
    J.created_rows,
    J.unchanged_rows,
    J.error_rows,
    J.ignored_columns,
    J.failure,
    J.created_at,
    J.started_at,
    J.finished_at,
)


def _visible(principal: Principal) -> Any:
    return true() if principal.role is Role.admin else J.created_by == principal.subject


async def get_row(
    session: AsyncSession, principal: Principal, job_id: uuid.UUID
) -> dict[str, Any] | None:
    stmt = select(*READ_COLUMNS).where(J.id == job_id, _visible(principal))
    row = (await session.execute(stmt)).mappings().first()
    return dict(row) if row else None


async def error_rows(
    session: AsyncSession, job_id: uuid.UUID, after: int, limit: int
) -> list[dict[str, Any]]:
    E = ImportJobError  # noqa: N806
    stmt = (
        select(E.row_number, E.errors, E.values)
        .where(E.job_id == job_id, E.row_number > after)
        .order_by(E.row_number)
        .limit(limit)
    )
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


def _storable(value: Any) -> Any:
    """jsonb refuses NUL (U+0000): an echoed cell holding one shows U+FFFD instead."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


async def add_errors(session: AsyncSession, job_id: uuid.UUID, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(
            insert(ImportJobError), [{"job_id": job_id, **_storable(r)} for r in rows]
        )


async def set_progress(session: AsyncSession, job_id: uuid.UUID, **values: Any) -> None:
    await session.execute(update(J).where(J.id == job_id).values(**values))


async def load(session: AsyncSession, job_id: uuid.UUID) -> dict[str, Any] | None:
    stmt = select(J.__table__).where(J.id == job_id)
    row = (await session.execute(stmt)).mappings().first()
    return dict(row) if row else None


async def claim_next(
    session: AsyncSession, now: datetime, stale_before: datetime
) -> uuid.UUID | None:
    """The oldest queued job, or a running one whose worker went silent; locked, skip-locked."""
    stmt = (
        select(J.id)
        .where(
            or_(J.status == "queued", and_(J.status == "running", J.heartbeat_at < stale_before))
        )
        .order_by(J.created_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    job_id = (await session.execute(stmt)).scalar_one_or_none()
    if job_id is not None:
        await session.execute(
            update(J)
            .where(J.id == job_id)
            .values(status="running", heartbeat_at=now, started_at=func.coalesce(J.started_at, now))
        )
    return job_id


async def enterprise_in_scope(
    session: AsyncSession, principal: Principal, uscc: str
) -> uuid.UUID | None:
    """The live enterprise with this credit code that the caller may see, if any."""
    stmt = select(Enterprise.id).where(
        Enterprise.uscc == uscc, Enterprise.deleted_at.is_(None), enterprise_scope(principal)
    )
    found: uuid.UUID | None = (await session.execute(stmt)).scalar_one_or_none()
    return found
