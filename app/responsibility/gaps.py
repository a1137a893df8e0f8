"""Responsibility gaps in a region: what nobody answers for, what lapses, visits not made.

Every query starts from the caller's scope (``unit_scope`` on the enterprise, hazard or
assignment) and the region filter; each list is capped by ``responsibility_gap_limit``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, literal, or_, select, true
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.auth.principal import Principal
from app.auth.scope import region_subtree, require, unit_scope
from app.config import Settings
from app.core.clock import utcnow
from app.models.enterprise import Enterprise
from app.models.hazard import TERMINAL_STATUSES, Hazard
from app.models.identity import Person
from app.models.reference import Department
from app.models.responsibility import ResponsibilityAssignment
from app.models.visit import InspectionVisit, VisitMember
from app.responsibility import repository
from app.responsibility.enums import GapKind
from app.responsibility.schemas import (
    GapEnterprise,
    GapHazard,
    GapSector,
    GapVisit,
    ResponsibilityGapFilter,
    ResponsibilityGaps,
)
from app.responsibility.service import to_read

A = ResponsibilityAssignment
E = Enterprise


def _current(now: datetime, alias: Any = A) -> ColumnElement[bool]:
    return and_(
        alias.valid_from <= now,
        or_(alias.valid_to.is_(None), alias.valid_to > now),
        alias.deleted_at.is_(None),
    )


def _enterprises(principal: Principal, region: str | None) -> Select[Any]:
    columns: tuple[Any, ...] = (E.id.label("enterprise_id"), E.name, E.region_code, E.risk_grade)
    stmt = select(*columns).where(
        unit_scope(principal, region=E.region_code, sectors=E.sectors, enterprise_id=E.id),
        E.deleted_at.is_(None),
        E.status != "closed",
    )
    return stmt.where(region_subtree(E.region_code, region)) if region else stmt


def _has(now: datetime, *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists(select(literal(1)).where(_current(now), *conditions))


def last_visit_at(person_id: Any, enterprise_id: Any, at: Any) -> Any:
    """Latest visit (started) by the person to the enterprise at or before ``at``."""
    v, m = InspectionVisit, VisitMember
    return (
        select(func.max(func.coalesce(v.completed_at, v.started_at)))
        .join(m, m.visit_id == v.id)
        .where(
            m.person_id == person_id,
            v.enterprise_id == enterprise_id,
            v.status != "cancelled",
            v.started_at.is_not(None),
            v.started_at <= at,
        )
        .scalar_subquery()
    )


async def _rows(session: AsyncSession, stmt: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


async def find_gaps(
    session: AsyncSession, settings: Settings, principal: Principal, query: ResponsibilityGapFilter
) -> ResponsibilityGaps:
    require(principal, "responsibility:read")
    now, limit, region = utcnow(), settings.responsibility_gap_limit, query.region
    wanted = set(query.kind) or set(GapKind)
    out: dict[str, list[Any]] = {
        "major_hazards_without_leader": [],
        "red_enterprises_without_leader": [],
        "sectors_without_supervision": [],
        "enterprises_without_main_responsible": [],
        "expiring_assignments": [],
        "visit_frequency_missed": [],
        "unconfirmed_assignments": [],
        "declined_assignments": [],
    }

    if GapKind.major_hazard_without_leader in wanted:
        hazard_columns: tuple[Any, ...] = (
            Hazard.id.label("hazard_id"),
            Hazard.code,
            Hazard.title,
            Hazard.status,
            Hazard.enterprise_id,
            Hazard.region_code,
        )
        stmt = (
            select(*hazard_columns)
            .where(
                repository.hazard_scope(principal),
                Hazard.level == "major",
                Hazard.status.not_in(TERMINAL_STATUSES),
                ~_has(now, A.kind == "leader_liaison", A.object_hazard_id == Hazard.id),
            )
            .order_by(Hazard.found_at, Hazard.id)
            .limit(limit)
        )
        if region:
            stmt = stmt.where(region_subtree(Hazard.region_code, region))
        out["major_hazards_without_leader"] = [GapHazard(**r) for r in await _rows(session, stmt)]

    if GapKind.red_enterprise_without_leader in wanted:
        stmt = (
            _enterprises(principal, region)
            .where(
                E.risk_grade == "red",
                ~_has(now, A.kind == "leader_liaison", A.object_enterprise_id == E.id),
            )
            .order_by(E.name, E.id)
            .limit(limit)
        )
        out["red_enterprises_without_leader"] = [
            GapEnterprise(**r) for r in await _rows(session, stmt)
        ]

    if GapKind.enterprise_without_main_responsible in wanted:
        stmt = (
            _enterprises(principal, region)
            .where(
                ~_has(now, A.kind == "enterprise_main_responsible", A.object_enterprise_id == E.id)
            )
            .order_by(E.name, E.id)
            .limit(limit)
        )
        out["enterprises_without_main_responsible"] = [
            GapEnterprise(**r) for r in await _rows(session, stmt)
        ]

    if GapKind.sector_without_supervision in wanted:
        out["sectors_without_supervision"] = await _unsupervised(
            session, principal, region, now, limit
        )

    if GapKind.assignment_expiring in wanted:
        successor = aliased(A)
        stmt = (
            repository.visible(principal)
            .where(
                _current(now),
                A.valid_to.is_not(None),
                A.valid_to <= now + timedelta(days=settings.responsibility_expiring_within_days),
                ~exists(
                    select(literal(1)).where(
                        successor.id != A.id,
                        successor.deleted_at.is_(None),
                        or_(successor.predecessor_id == A.id, successor.seat_key == A.seat_key),
                        successor.valid_from <= A.valid_to,
                        or_(successor.valid_to.is_(None), successor.valid_to > A.valid_to),
                    )
                ),
            )
            .order_by(A.valid_to, A.id)
            .limit(limit)
        )
        if region:
            stmt = stmt.where(region_subtree(A.region_code, region))
        out["expiring_assignments"] = [to_read(r) for r in await _rows(session, stmt)]

    if GapKind.visit_frequency_missed in wanted:
        out["visit_frequency_missed"] = await _visits_missed(session, principal, region, now, limit)
    declined = and_(
        A.declined_at.is_not(None),
        or_(A.last_confirmed_at.is_(None), A.declined_at > A.last_confirmed_at),
    )
    for kind, key, condition in (
        (
            GapKind.assignment_unconfirmed,
            "unconfirmed_assignments",
            and_(
                A.confirmation_requested_at.is_not(None),
                or_(
                    A.last_confirmed_at.is_(None),
                    A.last_confirmed_at < A.confirmation_requested_at,
                ),
                ~declined,
            ),
        ),
        (GapKind.assignment_declined, "declined_assignments", declined),
    ):
        if kind in wanted:
            stmt = repository.visible(principal).where(_current(now), condition)
            if region:
                stmt = stmt.where(region_subtree(A.region_code, region))
            stmt = stmt.order_by(A.valid_from, A.id).limit(limit)
            out[key] = [to_read(r) for r in await _rows(session, stmt)]
    return ResponsibilityGaps(at=now, region=region, **out)


async def _unsupervised(
    session: AsyncSession, principal: Principal, region: str | None, now: datetime, limit: int
) -> list[GapSector]:
    """(town, sector) pairs of enterprises with neither a derived nor an explicit supervisor."""
    sector = func.unnest(E.sectors).table_valued("sector").render_derived("s").lateral()
    s = sector.c.sector
    department = exists(
        select(literal(1)).where(
            Department.deleted_at.is_(None),
            Department.kind != "town_government",
            func.starts_with(E.region_code, Department.region_code),
            Department.sectors.contains(array([s])),
        )
    )
    explicit = _has(
        now,
        A.kind == "departmental_supervision",
        or_(
            A.object_enterprise_id == E.id,
            and_(
                A.object_type == "sector_region",
                A.object_sector == s,
                func.starts_with(E.region_code, A.object_region_code),
            ),
        ),
    )
    stmt = (
        select(E.region_code, s.label("sector"), func.count().label("enterprise_count"))
        .select_from(E)
        .join(sector, true())
        .where(
            unit_scope(principal, region=E.region_code, sectors=E.sectors, enterprise_id=E.id),
            E.deleted_at.is_(None),
            E.status != "closed",
            ~department,
            ~explicit,
        )
        .group_by(E.region_code, s)
        .order_by(E.region_code, s)
        .limit(limit)
    )
    if region:
        stmt = stmt.where(region_subtree(E.region_code, region))
    return [GapSector(**r) for r in await _rows(session, stmt)]


async def _visits_missed(
    session: AsyncSession, principal: Principal, region: str | None, now: datetime, limit: int
) -> list[GapVisit]:
    last = last_visit_at(A.holder_person_id, A.enterprise_id, now)
    inner = (
        select(
            A.id.label("assignment_id"),
            A.kind,
            A.holder_person_id,
            Person.name.label("holder_name"),
            A.enterprise_id,
            E.name.label("enterprise_name"),
            A.required_visit_days,
            A.valid_from,
            last.label("last_visit_at"),
        )
        .join(Person, Person.id == A.holder_person_id)
        .join(E, E.id == A.enterprise_id)
        .where(
            repository.scope_predicate(principal),
            _current(now),
            A.holder_type == "person",
            A.required_visit_days.is_not(None),
        )
        .subquery()
    )
    due = func.coalesce(inner.c.last_visit_at, inner.c.valid_from) + func.make_interval(
        0, 0, 0, inner.c.required_visit_days
    )
    stmt = (
        select(*[c for c in inner.c if c.name != "valid_from"], due.label("due_at"))
        .where(due < now)
        .order_by(due, inner.c.assignment_id)
        .limit(limit)
    )
    if region:
        stmt = stmt.where(
            inner.c.assignment_id.in_(select(A.id).where(region_subtree(A.region_code, region)))
        )
    return [GapVisit(**r) for r in await _rows(session, stmt)]
