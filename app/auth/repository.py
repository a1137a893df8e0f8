"""Identity lookups that build a principal (no scoping: these run before one exists)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.models.identity import ApiKey, IdentitySubject, Person
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


async def subject_ever_bound(session: AsyncSession, subject: str) -> bool:
    """Whether any person record, live or deleted, ever carried ``subject``."""
    stmt = select(Person.id).where(Person.subject == subject).limit(1)
    return (await session.execute(stmt)).first() is not None


async def credential_stamp(
    session: AsyncSession,
    *,
    subject: str | None,
    person_id: uuid.UUID | None,
    department_id: uuid.UUID | None,
    api_key_id: uuid.UUID | None,
) -> tuple[Any, ...]:
    """Everything a principal was built from, in one indexed query: a cached principal is
    reused only while this is unchanged (deletion, deactivation, a role or unit change, a new
    record for a claims-only subject, a key's revocation or a department's new sectors)."""
    person = (
        select(
            func.concat_ws("|", Person.version, Person.active, Person.deleted_at, Person.subject)
        )
        .where(Person.id == person_id)
        .scalar_subquery()
        if person_id is not None
        else select(func.count())
        .select_from(Person)
        .where(Person.subject == subject)
        .scalar_subquery()
    )
    dept = (
        select(func.concat_ws("|", Department.version, Department.deleted_at))
        .where(Department.id == department_id)
        .scalar_subquery()
    )
    key = select(ApiKey.revoked_at).where(ApiKey.id == api_key_id).scalar_subquery()
    row = (await session.execute(select(person, dept, key))).one()
    return (str(row[0]), row[1], row[2], api_key_id is not None and row[2] is None)


async def note_claims_sign_in(
    session: AsyncSession, subject: str, role: str, region_code: str | None
) -> None:
    """Remember that ``subject`` (no person record) signed in as ``role`` in ``region_code``
    (None: unscoped). Written only when that is new, so a known sign-in costs one read."""
    row = await session.get(IdentitySubject, subject)
    now = utcnow()
    if row is None:  # a concurrent first sign-in of the same subject may win: then nothing
        await session.execute(
            insert(IdentitySubject)
            .values(
                subject=subject,
                roles=[role],
                region_codes=[region_code] if region_code else [],
                unscoped=region_code is None,
                first_seen_at=now,
                last_seen_at=now,
            )
            .on_conflict_do_nothing()
        )
        return
    if (
        role in row.roles
        and (region_code is None or region_code in row.region_codes)
        and (region_code is not None or row.unscoped)
    ):
        return
    row.roles = sorted({*row.roles, role})
    row.region_codes = sorted({*row.region_codes, *([region_code] if region_code else [])})
    row.unscoped = row.unscoped or region_code is None
    row.last_seen_at = now
    await session.flush()


async def claims_sign_ins(session: AsyncSession, subject: str) -> IdentitySubject | None:
    return await session.get(IdentitySubject, subject)


async def former_roles(session: AsyncSession, subject: str) -> set[str]:
    """The roles deleted person records with ``subject`` held."""
    stmt = select(func.unnest(Person.roles)).where(
        Person.subject == subject, Person.deleted_at.is_not(None)
    )
    return set((await session.execute(stmt)).scalars())
