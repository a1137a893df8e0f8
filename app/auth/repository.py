"""Identity lookups that build a principal (no scoping: these run before one exists)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.models.identity import ApiKey, Person
from app.models.reference import Department


async def person_by_subject(session: AsyncSession, subject: str) -> Person | None:
    stmt = select(Person).where(Person.subject == subject, Person.deleted_at.is_(None))
    return (await session.execute(stmt)).scalar_one_or_none()


async def department_scope(
    session: AsyncSession, department_id: uuid.UUID
) -> tuple[str, list[str]] | None:
    stmt = select(Department.region_code, Department.sectors).where(
        Department.id == department_id, Department.deleted_at.is_(None)
    )
    row = (await session.execute(stmt)).first()
    return (row[0], list(row[1])) if row else None


async def api_key_by_prefix(session: AsyncSession, prefix: str) -> ApiKey | None:
    stmt = select(ApiKey).where(ApiKey.prefix == prefix)
    return (await session.execute(stmt)).scalar_one_or_none()


async def touch_api_key(
    session: AsyncSession, key_id: uuid.UUID, *, resolution_seconds: int = 0
) -> None:
    """Record the key's use; skipped when it was recorded less than ``resolution_seconds`` ago
    (a busy system client would otherwise rewrite the row on every request)."""
    now = utcnow()
    stmt = update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=now)
    if resolution_seconds > 0:
        stmt = stmt.where(
            or_(
                ApiKey.last_used_at.is_(None),
                ApiKey.last_used_at < now - timedelta(seconds=resolution_seconds),
            )
        )
    await session.execute(stmt)
