"""Responsibility queries: scoped assignments, lookups for the rules, chain building blocks."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.auth.principal import Principal
from app.auth.scope import region_subtree, unit_scope
from app.models.enterprise import Enterprise
from app.models.hazard import Hazard
from app.models.identity import Person
from app.models.reference import Department, Region
from app.models.responsibility import (
    MajorHazardSource,
    ResponsibilityAssignment,
    ResponsibilitySnapshot,
)

A = ResponsibilityAssignment
_HOLDER_PERSON = aliased(Person, name="holder_person")
_HOLDER_DEPT = aliased(Department, name="holder_department")
_OBJ_ENT = aliased(Enterprise, name="object_enterprise")
_OBJ_REGION = aliased(Region, name="object_region")
_OBJ_MHS = aliased(MajorHazardSource, name="object_mhs")
_OBJ_HAZARD = aliased(Hazard, name="object_hazard")

COLUMNS = (
    A.id,
    A.kind,
    A.holder_type,
    A.holder_person_id,
    A.holder_department_id,
    func.coalesce(_HOLDER_PERSON.name, _HOLDER_DEPT.name).label("holder_name"),
    A.object_type,
    A.object_region_code,
    A.object_sector,
    A.object_enterprise_id,
    A.object_hazard_id,
    A.object_major_hazard_source_id,
    case(
        (A.object_type == "enterprise", _OBJ_ENT.name),
        (A.object_type == "major_hazard_source", _OBJ_MHS.name),
        (A.object_type == "hazard", _OBJ_HAZARD.title),
        else_=_OBJ_REGION.name,
    ).label("object_name"),
    A.enterprise_id,
    A.region_code,
    A.sectors,
    A.duties,
    A.required_visit_days,
    A.valid_from,
    A.valid_to,
    A.appointing_unit,
    A.document_number,
    A.public_display,
    A.end_reason,
    A.ended_by,
    A.predecessor_id,
    A.confirmation_requested_at,
    A.last_confirmed_at,
    A.declined_at,
    A.decline_reason,
    A.answered_by,
    A.version,
    A.created_at,
    A.updated_at,
    A.deleted_at,
    A.sync_xid,
    A.sync_seq,
)
SORTABLE = {"valid_from": A.valid_from, "created_at": A.created_at, "id": A.id}


def _with_names(stmt: Select[Any]) -> Select[Any]:
    return (
        stmt.select_from(A)
        .outerjoin(_HOLDER_PERSON, _HOLDER_PERSON.id == A.holder_person_id)
        .outerjoin(_HOLDER_DEPT, _HOLDER_DEPT.id == A.holder_department_id)
        .outerjoin(_OBJ_ENT, _OBJ_ENT.id == A.object_enterprise_id)
        .outerjoin(_OBJ_REGION, _OBJ_REGION.code == A.object_region_code)
        .outerjoin(_OBJ_MHS, _OBJ_MHS.id == A.object_major_hazard_source_id)
        .outerjoin(_OBJ_HAZARD, _OBJ_HAZARD.id == A.object_hazard_id)
    )


def scope_predicate(principal: Principal) -> ColumnElement[bool]:
    return unit_scope(
        principal, region=A.region_code, sectors=A.sectors, enterprise_id=A.enterprise_id
    )


def valid_at(at: datetime) -> ColumnElement[bool]:
    return and_(A.valid_from <= at, or_(A.valid_to.is_(None), A.valid_to > at))


def all_rows() -> Select[Any]:
    """Unscoped (system use: chains for snapshots, after the caller checked the object)."""
    return _with_names(select(*COLUMNS)).where(A.deleted_at.is_(None))


def visible(principal: Principal, *, include_deleted: bool = False) -> Select[Any]:
    stmt = _with_names(select(*COLUMNS)).where(scope_predicate(principal))
    return stmt if include_deleted else stmt.where(A.deleted_at.is_(None))


def filtered(
    stmt: Select[Any],
    *,
    kinds: list[str],
    object_types: list[str],
    holder_person_id: uuid.UUID | None,
    holder_department_id: uuid.UUID | None,
    enterprise_id: uuid.UUID | None,
    hazard_id: uuid.UUID | None,
    source_id: uuid.UUID | None,
    region: str | None,
    at: datetime | None,
    public_display: bool | None = None,
) -> Select[Any]:
    if kinds:
        stmt = stmt.where(A.kind.in_(kinds))
    if object_types:
        stmt = stmt.where(A.object_type.in_(object_types))
    if holder_person_id:
        stmt = stmt.where(A.holder_person_id == holder_person_id)
    if holder_department_id:
        stmt = stmt.where(A.holder_department_id == holder_department_id)
    if enterprise_id:
        stmt = stmt.where(A.enterprise_id == enterprise_id)
    if hazard_id:
        stmt = stmt.where(A.object_hazard_id == hazard_id)
    if source_id:
        stmt = stmt.where(A.object_major_hazard_source_id == source_id)
    if region:
        stmt = stmt.where(region_subtree(A.region_code, region))
    if at is not None:
        stmt = stmt.where(valid_at(at))
    if public_display is not None:
        stmt = stmt.where(A.public_display.is_(public_display))
    return stmt


async def get_row(
    session: AsyncSession, principal: Principal, assignment_id: uuid.UUID
) -> dict[str, Any] | None:
    stmt = visible(principal).where(A.id == assignment_id)
    row = (await session.execute(stmt)).mappings().first()
    return dict(row) if row else None


async def get_for_update(
    session: AsyncSession, principal: Principal, assignment_id: uuid.UUID
) -> ResponsibilityAssignment | None:
    stmt = (
        select(A)
        .where(A.id == assignment_id, A.deleted_at.is_(None), scope_predicate(principal))
        .with_for_update()
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_any(
    session: AsyncSession, assignment_id: uuid.UUID
) -> ResponsibilityAssignment | None:
    return await session.get(A, assignment_id)


# --- lookups for the fit rules (unscoped: the service applies scope to the object) ---


async def person(session: AsyncSession, person_id: uuid.UUID) -> Person | None:
    stmt = select(Person).where(Person.id == person_id, Person.deleted_at.is_(None))
    return (await session.execute(stmt)).scalar_one_or_none()


async def department(session: AsyncSession, department_id: uuid.UUID) -> Department | None:
    stmt = select(Department).where(Department.id == department_id, Department.deleted_at.is_(None))
    return (await session.execute(stmt)).scalar_one_or_none()


async def enterprise(session: AsyncSession, enterprise_id: uuid.UUID) -> Enterprise | None:
    stmt = select(Enterprise).where(Enterprise.id == enterprise_id, Enterprise.deleted_at.is_(None))
    return (await session.execute(stmt)).scalar_one_or_none()


async def hazard(session: AsyncSession, hazard_id: uuid.UUID) -> Hazard | None:
    return await session.get(Hazard, hazard_id)


async def major_hazard_source(
    session: AsyncSession, source_id: uuid.UUID
) -> MajorHazardSource | None:
    return await session.get(MajorHazardSource, source_id)


async def region_names(session: AsyncSession, codes: Sequence[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = await session.execute(select(Region.code, Region.name).where(Region.code.in_(codes)))
    return {code: name for code, name in rows.all()}


# --- major hazard sources ---

MHS = MajorHazardSource
MHS_COLUMNS: tuple[Any, ...] = (
    MHS.id,
    MHS.enterprise_id,
    MHS.name,
    MHS.grade,
    MHS.record_number,
    MHS.version,
    MHS.created_at,
    MHS.updated_at,
)


def sources_visible(principal: Principal) -> Select[Any]:
    return (
        select(*MHS_COLUMNS)
        .join(Enterprise, Enterprise.id == MHS.enterprise_id)
        .where(
            unit_scope(
                principal,
                region=Enterprise.region_code,
                sectors=Enterprise.sectors,
                enterprise_id=Enterprise.id,
            )
        )
    )


async def sources_of(session: AsyncSession, enterprise_id: uuid.UUID) -> list[dict[str, Any]]:
    stmt = select(*MHS_COLUMNS).where(MHS.enterprise_id == enterprise_id).order_by(MHS.name)
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


# --- chain building blocks ---


def region_prefixes(code: str) -> list[str]:
    """The region and its ancestors (GB/T 2260 prefixes)."""
    return [code[:n] for n in (2, 4, 6, 9, 12) if n <= len(code)]


async def assignments_for_enterprise(
    session: AsyncSession, ent: Enterprise, at: datetime
) -> list[dict[str, Any]]:
    """Explicit assignments valid at ``at`` that reach the enterprise: on it, its hazards and
    sources, or on a region / sector-in-region that contains it."""
    prefixes = region_prefixes(ent.region_code)
    reach = or_(
        A.enterprise_id == ent.id,
        and_(A.object_type == "region", A.object_region_code.in_(prefixes)),
        and_(
            A.object_type == "sector_region",
            A.object_region_code.in_(prefixes),
            A.object_sector.in_(list(ent.sectors)),
        ),
    )
    stmt = all_rows().where(reach, valid_at(at)).order_by(A.valid_from, A.id)
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


def _department_alive(at: datetime) -> ColumnElement[bool]:
    return and_(
        Department.created_at <= at,
        or_(Department.deleted_at.is_(None), Department.deleted_at > at),
    )


async def supervising_departments(
    session: AsyncSession, region_code: str, sectors: list[str], at: datetime
) -> list[dict[str, Any]]:
    """Departments whose region contains ``region_code`` and whose sectors overlap (derived
    departmental supervision: 管行业必须管安全)."""
    stmt = (
        select(Department.id, Department.name, Department.region_code, Department.sectors)
        .where(
            Department.region_code.in_(region_prefixes(region_code)),
            Department.kind != "town_government",
            Department.sectors.overlap(array(sectors)),
            _department_alive(at),
        )
        .order_by(Department.name, Department.id)
    )
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


async def town_governments(
    session: AsyncSession, region_code: str, at: datetime
) -> list[dict[str, Any]]:
    stmt = (
        select(Department.id, Department.name, Department.region_code)
        .where(
            Department.region_code == region_code,
            Department.kind == "town_government",
            _department_alive(at),
        )
        .order_by(Department.name, Department.id)
    )
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


# --- snapshots ---


async def snapshots(
    session: AsyncSession, principal: Principal, hazard_id: uuid.UUID
) -> list[dict[str, Any]]:
    S = ResponsibilitySnapshot  # noqa: N806
    stmt = (
        select(S.id, S.hazard_id, S.reason, S.taken_at, S.event_id, S.chain)
        .where(
            S.hazard_id == hazard_id,
            unit_scope(
                principal, region=S.region_code, sectors=S.sectors, enterprise_id=S.enterprise_id
            ),
        )
        .order_by(S.taken_at, S.id)
    )
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


def hazard_scope(principal: Principal) -> ColumnElement[bool]:
    return unit_scope(
        principal,
        region=Hazard.region_code,
        sectors=Hazard.sectors,
        enterprise_id=Hazard.enterprise_id,
    )


async def visible_hazard(session: AsyncSession, principal: Principal, hazard_id: uuid.UUID) -> bool:
    stmt = select(literal(1)).where(Hazard.id == hazard_id, hazard_scope(principal))
    return (await session.execute(stmt)).first() is not None


async def visible_enterprise(
    session: AsyncSession, principal: Principal, enterprise_id: uuid.UUID
) -> bool:
    stmt = select(literal(1)).where(
        Enterprise.id == enterprise_id,
        Enterprise.deleted_at.is_(None),
        unit_scope(
            principal,
            region=Enterprise.region_code,
            sectors=Enterprise.sectors,
            enterprise_id=Enterprise.id,
        ),
    )
    return (await session.execute(stmt)).first() is not None
