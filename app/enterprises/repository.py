"""Enterprise queries, always starting from the caller's scope."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.scope import region_subtree, unit_scope
from app.core.rows import fetch_mapping
from app.core.search import substring_match
from app.models.core import SyncRemoval
from app.models.enterprise import Enterprise
from app.models.identity import Person
from app.models.responsibility import ResponsibilityAssignment

MAIN_RESPONSIBLE_KIND = "enterprise_main_responsible"

E = Enterprise
A, P = ResponsibilityAssignment, Person
COLUMNS = (
    E.id,
    E.uscc,
    E.name,
    E.kind,
    E.region_code,
    E.address,
    E.lat,
    E.lon,
    E.sectors,
    E.industry_code,
    E.legal_representative,
    E.main_responsible_person,
    E.safety_manager,
    E.size,
    E.risk_grade,
    E.licences,
    E.status,
    E.status_reason,
    E.status_document_number,
    E.version,
    E.created_at,
    E.updated_at,
    E.deleted_at,
    E.sync_xid,
    E.sync_seq,
)
SORTABLE = {"name": E.name, "created_at": E.created_at, "updated_at": E.updated_at, "id": E.id}


def scope_predicate(principal: Principal) -> Any:
    return unit_scope(principal, region=E.region_code, sectors=E.sectors, enterprise_id=E.id)


def was_visible(principal: Principal) -> Callable[[type[SyncRemoval]], ColumnElement[bool]]:
    """The scope rule over the region, sectors and id an enterprise had before it moved."""
    return lambda r: unit_scope(
        principal, region=r.region_code, sectors=r.sectors, enterprise_id=r.enterprise_id
    )


def visible(principal: Principal, *, include_deleted: bool = False) -> Select[Any]:
    stmt = select(*COLUMNS).where(scope_predicate(principal))
    return stmt if include_deleted else stmt.where(E.deleted_at.is_(None))


def filtered(
    stmt: Select[Any],
    *,
    region: str | None,
    sectors: list[str],
    statuses: list[str],
    risk_grades: list[str],
    kinds: list[str],
    q: str | None,
) -> Select[Any]:
    if region:
        stmt = stmt.where(region_subtree(E.region_code, region))
    if sectors:
        stmt = stmt.where(E.sectors.overlap(array([str(s) for s in sectors])))
    if statuses:
        stmt = stmt.where(E.status.in_(statuses))
    if risk_grades:
        stmt = stmt.where(E.risk_grade.in_(risk_grades))
    if kinds:
        stmt = stmt.where(E.kind.in_(kinds))
    if q:
        stmt = stmt.where(substring_match(E.name_ngrams, [E.name], q))
    return stmt


@lru_cache(maxsize=1024)
def _by_id(principal: Principal) -> Select[Any]:
    """One caller's read of one enterprise, built once per caller (see app.core.rows)."""
    return visible(principal).where(E.id == bindparam("enterprise_id"))


async def get_row(
    session: AsyncSession, principal: Principal, enterprise_id: uuid.UUID
) -> dict[str, Any] | None:
    return await fetch_mapping(session, _by_id(principal), {"enterprise_id": enterprise_id})


async def get_for_update(
    session: AsyncSession, principal: Principal, enterprise_id: uuid.UUID
) -> Enterprise | None:
    stmt = (
        select(E)
        .where(E.id == enterprise_id, E.deleted_at.is_(None), scope_predicate(principal))
        .with_for_update()
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_any(session: AsyncSession, enterprise_id: uuid.UUID) -> Enterprise | None:
    return await session.get(E, enterprise_id)


async def live_uscc_taken(session: AsyncSession, uscc: str) -> bool:
    stmt = select(E.id).where(E.uscc == uscc, E.deleted_at.is_(None))
    return (await session.execute(stmt)).first() is not None


async def main_responsible_at(
    session: AsyncSession, enterprise_id: uuid.UUID, at: datetime
) -> dict[str, Any] | None:
    """The holder of the enterprise's main-responsible seat at ``at`` (the responsibility chain's
    ``enterprise_main_responsible`` assignment): name and phone from the person record."""
    stmt = (
        select(
            A.id.label("assignment_id"),
            P.id.label("person_id"),
            P.name,
            P.phone,
        )
        .join(P, P.id == A.holder_person_id)
        .where(
            A.kind == MAIN_RESPONSIBLE_KIND,
            A.object_enterprise_id == enterprise_id,
            A.valid_from <= at,
            or_(A.valid_to.is_(None), A.valid_to > at),
        )
        .order_by(A.valid_from.desc())
        .limit(1)
    )
    row = (await session.execute(stmt)).mappings().first()
    return dict(row) if row is not None else None


async def has_main_responsible_assignment(session: AsyncSession, enterprise_id: uuid.UUID) -> bool:
    """Whether the enterprise's main-responsible seat was ever filled through the chain."""
    stmt = select(A.id).where(
        A.kind == MAIN_RESPONSIBLE_KIND, A.object_enterprise_id == enterprise_id
    )
    return (await session.execute(stmt.limit(1))).first() is not None


async def enterprises_headed_by(session: AsyncSession, person_id: uuid.UUID) -> list[uuid.UUID]:
    """Enterprises whose current main responsible person (by assignment) is this person."""
    now = func.now()
    stmt = select(A.object_enterprise_id).where(
        A.kind == MAIN_RESPONSIBLE_KIND,
        A.holder_person_id == person_id,
        A.object_enterprise_id.is_not(None),
        A.valid_from <= now,
        or_(A.valid_to.is_(None), A.valid_to > now),
    )
    return [r for r in (await session.execute(stmt)).scalars() if r is not None]


async def names_and_codes(
    session: AsyncSession, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, str]]:
    """(name, credit code) of enterprises by id, for exports of records that cite them (the
    caller already sees those records)."""
    wanted = sorted(set(ids), key=str)
    if not wanted:
        return {}
    stmt = select(E.id, E.name, E.uscc).where(E.id.in_(wanted))
    return {r.id: (r.name, r.uscc) for r in (await session.execute(stmt)).all()}
