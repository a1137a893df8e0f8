"""Visit queries, always starting from what the principal may see."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal, Role
from app.auth.scope import region_subtree, unit_scope
from app.models.enterprise import Enterprise
from app.models.hazard import Hazard
from app.models.identity import Person
from app.models.visit import (
    ChecklistItem,
    ChecklistTemplate,
    InspectionVisit,
    VisitHazard,
    VisitItemResult,
    VisitMember,
)

V = InspectionVisit
COLUMNS: tuple[Any, ...] = (
    V.id,
    V.type,
    V.status,
    V.enterprise_id,
    V.region_code,
    V.sectors,
    V.lead_department_id,
    V.participating_department_ids,
    V.leading_official,
    V.campaign_id,
    V.checklist_template_id,
    V.planned_on,
    V.purpose,
    V.started_at,
    V.checkin_lat,
    V.checkin_lon,
    V.checkin_distance_m,
    V.checkin_reason,
    V.completed_at,
    V.checkout_lat,
    V.checkout_lon,
    V.summary,
    V.conclusion,
    V.cancelled_at,
    V.cancel_reason,
    V.version,
    V.created_at,
    V.updated_at,
    V.deleted_at,
    V.sync_xid,
    V.sync_seq,
)
SORTABLE = {
    "planned_on": V.planned_on,
    "created_at": V.created_at,
    "updated_at": V.updated_at,
    "id": V.id,
}


def is_member(principal: Principal, visit_id: Any = V.id) -> ColumnElement[bool]:
    if principal.person_id is None:
        return false()
    return exists().where(
        VisitMember.visit_id == visit_id, VisitMember.person_id == principal.person_id
    )


def scope_predicate(principal: Principal) -> ColumnElement[bool]:
    """Units in scope, or visits the caller is on (inspectors, experts); an unannounced visit
    stays hidden from the enterprise's own users until it has started."""
    base = or_(
        unit_scope(
            principal, region=V.region_code, sectors=V.sectors, enterprise_id=V.enterprise_id
        ),
        is_member(principal),
    )
    if principal.role is Role.enterprise_user:
        return and_(base, not_(and_(V.type == "unannounced", V.started_at.is_(None))))
    return base


def visible(principal: Principal, *, include_deleted: bool = False) -> Select[Any]:
    stmt = select(*COLUMNS).where(scope_predicate(principal))
    return stmt if include_deleted else stmt.where(V.deleted_at.is_(None))


def filtered(
    stmt: Select[Any],
    *,
    types: list[str],
    statuses: list[str],
    enterprise_id: uuid.UUID | None,
    campaign_id: uuid.UUID | None,
    region: str | None,
    planned_from: date | None,
    planned_to: date | None,
) -> Select[Any]:
    if types:
        stmt = stmt.where(V.type.in_(types))
    if statuses:
        stmt = stmt.where(V.status.in_(statuses))
    if enterprise_id:
        stmt = stmt.where(V.enterprise_id == enterprise_id)
    if campaign_id:
        stmt = stmt.where(V.campaign_id == campaign_id)
    if region:
        stmt = stmt.where(region_subtree(V.region_code, region))
    if planned_from:
        stmt = stmt.where(V.planned_on >= planned_from)
    if planned_to:
        stmt = stmt.where(V.planned_on <= planned_to)
    return stmt


async def get_row(
    session: AsyncSession, principal: Principal, visit_id: uuid.UUID
) -> dict[str, Any] | None:
    row = (await session.execute(visible(principal).where(V.id == visit_id))).mappings().first()
    return dict(row) if row else None


async def get_for_update(
    session: AsyncSession, principal: Principal, visit_id: uuid.UUID
) -> InspectionVisit | None:
    stmt = (
        select(V)
        .where(V.id == visit_id, V.deleted_at.is_(None), scope_predicate(principal))
        .with_for_update()
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_any(session: AsyncSession, visit_id: uuid.UUID) -> InspectionVisit | None:
    return await session.get(V, visit_id)


async def members_of(
    session: AsyncSession, visit_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    out: dict[uuid.UUID, list[dict[str, Any]]] = {v: [] for v in visit_ids}
    if not visit_ids:
        return out
    m = VisitMember
    stmt = (
        select(m.id, m.visit_id, m.role, m.name, m.person_id, m.certificate_number, m.department_id)
        .where(m.visit_id.in_(visit_ids))
        .order_by(m.visit_id, m.sort_order, m.id)
    )
    for row in (await session.execute(stmt)).mappings():
        out[row["visit_id"]].append(dict(row))
    return out


async def hazards_of(
    session: AsyncSession, visit_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    out: dict[uuid.UUID, list[dict[str, Any]]] = {v: [] for v in visit_ids}
    if not visit_ids:
        return out
    h = VisitHazard
    stmt = (
        select(h.visit_id, h.hazard_id, h.outcome, h.note, h.new_hazard_id, h.decided_at)
        .where(h.visit_id.in_(visit_ids))
        .order_by(h.visit_id, h.hazard_id)
    )
    for row in (await session.execute(stmt)).mappings():
        out[row["visit_id"]].append(dict(row))
    return out


async def enterprise_in_scope(
    session: AsyncSession, principal: Principal, enterprise_id: uuid.UUID
) -> Enterprise | None:
    e = Enterprise
    stmt = select(e).where(
        e.id == enterprise_id,
        e.deleted_at.is_(None),
        unit_scope(principal, region=e.region_code, sectors=e.sectors, enterprise_id=e.id),
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def enterprise_any(session: AsyncSession, enterprise_id: uuid.UUID) -> Enterprise | None:
    return await session.get(Enterprise, enterprise_id)


async def results_of(
    session: AsyncSession, visit_id: uuid.UUID, only: str | None = None
) -> list[dict[str, Any]]:
    r, i = VisitItemResult, ChecklistItem
    stmt = (
        select(
            r.id,
            r.item_id,
            i.code.label("item_code"),
            i.text.label("item_text"),
            i.criteria_clause_code,
            r.result,
            r.note,
            r.photo_ids,
            r.hazard_id,
            r.updated_at,
        )
        .join(i, i.id == r.item_id)
        .where(r.visit_id == visit_id)
        .order_by(i.sort_order, i.code)
    )
    if only:
        stmt = stmt.where(r.result == only)
    return [dict(x) for x in (await session.execute(stmt)).mappings()]


async def result_for_update(
    session: AsyncSession, visit_id: uuid.UUID, item_id: uuid.UUID
) -> VisitItemResult | None:
    stmt = (
        select(VisitItemResult)
        .where(VisitItemResult.visit_id == visit_id, VisitItemResult.item_id == item_id)
        .with_for_update()
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def item_of_template(
    session: AsyncSession, template_id: uuid.UUID, item_id: uuid.UUID
) -> ChecklistItem | None:
    stmt = select(ChecklistItem).where(
        ChecklistItem.id == item_id, ChecklistItem.template_id == template_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def item_count(session: AsyncSession, template_id: uuid.UUID | None) -> int:
    if template_id is None:
        return 0
    stmt = select(func.count()).where(ChecklistItem.template_id == template_id)
    return int((await session.execute(stmt)).scalar_one())


async def visit_hazard(
    session: AsyncSession, visit_id: uuid.UUID, hazard_id: uuid.UUID
) -> VisitHazard | None:
    stmt = (
        select(VisitHazard)
        .where(VisitHazard.visit_id == visit_id, VisitHazard.hazard_id == hazard_id)
        .with_for_update()
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def undecided_hazards(session: AsyncSession, visit_id: uuid.UUID) -> int:
    stmt = select(func.count()).where(
        VisitHazard.visit_id == visit_id, VisitHazard.outcome.is_(None)
    )
    return int((await session.execute(stmt)).scalar_one())


async def hazards_brief(
    session: AsyncSession, hazard_ids: list[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any]]:
    """Hazard facts a visit needs (status, level, unit), unscoped: callers check the unit."""
    if not hazard_ids:
        return {}
    h = Hazard
    stmt = select(
        h.id,
        h.enterprise_id,
        h.status,
        h.level,
        h.title,
        h.description,
        h.sector,
        h.category,
        h.deadline,
        h.criteria_clause_ids,
    ).where(h.id.in_(hazard_ids))
    return {r["id"]: dict(r) for r in (await session.execute(stmt)).mappings()}


async def hazards_of_visit(session: AsyncSession, visit_id: uuid.UUID) -> list[dict[str, Any]]:
    """Hazards found on the visit: reported with its id, or opened for a relapse."""
    h = Hazard
    relapses = select(VisitHazard.new_hazard_id).where(
        VisitHazard.visit_id == visit_id, VisitHazard.new_hazard_id.is_not(None)
    )
    stmt = (
        select(h.id, h.level, h.status, h.title, h.description)
        .where(or_(h.visit_id == visit_id, h.id.in_(relapses)))
        .order_by(h.found_at, h.id)
    )
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


async def current_template_for(session: AsyncSession, sectors: list[str]) -> uuid.UUID | None:
    t = ChecklistTemplate
    stmt = (
        select(t.id)
        .where(t.current.is_(True), t.sector.in_(sectors))
        .order_by(t.sector, t.code)
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def template_exists(session: AsyncSession, template_id: uuid.UUID) -> bool:
    stmt = select(ChecklistTemplate.id).where(ChecklistTemplate.id == template_id)
    return (await session.execute(stmt)).first() is not None


async def members_for_update(session: AsyncSession, visit_id: uuid.UUID) -> list[VisitMember]:
    stmt = (
        select(VisitMember)
        .where(VisitMember.visit_id == visit_id)
        .order_by(VisitMember.sort_order, VisitMember.id)
    )
    return list((await session.execute(stmt)).scalars())


async def lookback_planned(session: AsyncSession, hazard_id: uuid.UUID) -> bool:
    """A look-back visit about this hazard is already planned (scheduling is idempotent)."""
    stmt = (
        select(VisitHazard.visit_id)
        .join(V, V.id == VisitHazard.visit_id)
        .where(
            VisitHazard.hazard_id == hazard_id,
            V.type == "lookback",
            V.status == "planned",
            V.deleted_at.is_(None),
        )
    )
    return (await session.execute(stmt)).first() is not None


async def department_inspectors(
    session: AsyncSession, department_id: uuid.UUID, limit: int = 2
) -> list[Person]:
    """Active inspectors (with a law-enforcement certificate) of a department, by name."""
    stmt = (
        select(Person)
        .where(
            Person.department_id == department_id,
            Person.kind == "inspector",
            Person.active.is_(True),
            Person.deleted_at.is_(None),
            Person.certificate_number.is_not(None),
        )
        .order_by(Person.name, Person.id)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


async def last_acceptance_visit(session: AsyncSession, hazard_id: uuid.UUID) -> uuid.UUID | None:
    """The latest acceptance visit (验收) about a hazard, not cancelled."""
    stmt = (
        select(V.id)
        .join(VisitHazard, VisitHazard.visit_id == V.id)
        .where(
            VisitHazard.hazard_id == hazard_id,
            V.type == "acceptance",
            V.status != "cancelled",
            V.deleted_at.is_(None),
        )
        .order_by(V.planned_on.desc(), V.id.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()
