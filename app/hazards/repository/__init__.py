"""Hazard queries, always starting from what the principal may see."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    false,
    func,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal, Role
from app.auth.scope import region_subtree, unit_scope
from app.core.rows import fetch_mapping
from app.core.search import GramFrequencies, substring_match
from app.hazards.repository.writes import insert_created as insert_created
from app.hazards.repository.writes import save_step as save_step
from app.models.attachment import Attachment
from app.models.core import SyncRemoval
from app.models.hazard import TERMINAL_STATUSES, Hazard, HazardDeadline, HazardEvent
from app.models.identity import Person
from app.models.reference import CriteriaClause

H = Hazard
EARTH_RADIUS_M = 6_371_008.8
_FAR_FUTURE = date(9999, 12, 31)
# The supervised listing (挂牌督办): selected last, read as one nested object
LISTING_FIELDS = (
    "listing_level",
    "listing_issuing_unit",
    "listing_notice_number",
    "listing_plan_due_on",
    "listing_progress_interval_days",
    "listed_at",
)
_HIDDEN = {
    "search_ngrams",
    "county_code",
    "sectors",
    "reported_by_role",
    "registered_by",
    "extension_reason",
    "resumption_document_number",
    *LISTING_FIELDS,
}
LISTING_COLUMNS = tuple(H.__table__.c[name] for name in LISTING_FIELDS)
COLUMNS: tuple[Any, ...] = (
    *(c for c in H.__table__.c if c.name not in _HIDDEN),
    *LISTING_COLUMNS,
)


def row_of(hz: Hazard) -> dict[str, Any]:
    """The columns ``visible()`` selects, from a flushed object (no query)."""
    return {column.key: getattr(hz, column.key) for column in COLUMNS}


DEADLINE_SORT = func.coalesce(H.deadline, literal(_FAR_FUTURE))
SORTABLE: dict[str, Any] = {
    "found_at": H.found_at,
    "deadline": DEADLINE_SORT,
    "code": H.code,
    "created_at": H.created_at,
    "updated_at": H.updated_at,
    "id": H.id,
}


def scope_predicate(principal: Principal) -> ColumnElement[bool]:
    if principal.role is Role.expert:
        if principal.person_id is None:
            return false()
        return H.assigned_expert_ids.contains([principal.person_id])
    return unit_scope(
        principal, region=H.region_code, sectors=H.sectors, enterprise_id=H.enterprise_id
    )


def was_visible(principal: Principal) -> Callable[[type[SyncRemoval]], ColumnElement[bool]]:
    """The scope rule over the region, sectors and enterprise a hazard had before it moved."""
    if principal.role is Role.expert:
        return lambda r: false()
    return lambda r: unit_scope(
        principal, region=r.region_code, sectors=r.sectors, enterprise_id=r.enterprise_id
    )


def visible(principal: Principal, *, include_deleted: bool = False) -> Select[Any]:
    stmt = select(*COLUMNS, DEADLINE_SORT.label("_sort_deadline")).where(scope_predicate(principal))
    return stmt if include_deleted else stmt.where(H.deleted_at.is_(None))


def overdue_predicate(today: date) -> ColumnElement[bool]:
    return and_(H.deadline < today, H.status.not_in(TERMINAL_STATUSES))


# How common each n-gram of the search column is (the planner's view; see app.core.search).
SEARCH_GRAMS = GramFrequencies("hazard", "search_ngrams")


def filtered(
    stmt: Select[Any], f: Any, today: date, gram_frequencies: Mapping[str, float] | None = None
) -> Select[Any]:
    """``f`` is a HazardFilter (duck-typed: repositories do not import schemas)."""
    if f.status:
        stmt = stmt.where(H.status.in_([s.value for s in f.status]))
    if f.level:
        stmt = stmt.where(H.level.in_([v.value for v in f.level]))
    if f.sector:
        stmt = stmt.where(H.sector.in_([v.value for v in f.sector]))
    if f.category:
        stmt = stmt.where(H.category.in_([v.value for v in f.category]))
    if f.source:
        stmt = stmt.where(H.source.in_([v.value for v in f.source]))
    if f.region:
        if len(f.region) == 6:  # a county: the generated county column is indexed with status
            stmt = stmt.where(H.county_code == f.region)
        else:
            stmt = stmt.where(region_subtree(H.region_code, f.region))
    if f.enterprise_id:
        stmt = stmt.where(H.enterprise_id.in_(f.enterprise_id))
    if f.visit_id:
        stmt = stmt.where(H.visit_id == f.visit_id)
    if f.report_id:
        stmt = stmt.where(H.report_id == f.report_id)
    if f.overdue is True:
        stmt = stmt.where(overdue_predicate(today))
    elif f.overdue is False:
        stmt = stmt.where(~overdue_predicate(today) | H.deadline.is_(None))
    if f.deadline_from:
        stmt = stmt.where(H.deadline >= f.deadline_from)
    if f.deadline_to:
        stmt = stmt.where(H.deadline <= f.deadline_to)
    if f.found_from:
        stmt = stmt.where(H.found_at >= f.found_from)
    if f.found_to:
        stmt = stmt.where(H.found_at < f.found_to)
    if f.responsible_person:
        stmt = stmt.where(H.responsible_person["name"].astext == f.responsible_person)
    if f.listed is True:
        stmt = stmt.where(H.listing_level.is_not(None))
    elif f.listed is False:
        stmt = stmt.where(H.listing_level.is_(None))
    if f.q:
        columns = [H.title, H.description]
        stmt = stmt.where(substring_match(H.search_ngrams, columns, f.q, gram_frequencies))
    return stmt


@lru_cache(maxsize=1024)
def _by_id(principal: Principal) -> Select[Any]:
    """One caller's read of one hazard, built once per caller (see app.core.rows)."""
    return visible(principal).where(H.id == bindparam("hazard_id"))


@lru_cache(maxsize=1024)
def _for_update(principal: Principal) -> Select[Any]:
    return (
        select(H)
        .where(H.id == bindparam("hazard_id"), H.deleted_at.is_(None), scope_predicate(principal))
        .with_for_update()
    )


async def get_row(
    session: AsyncSession, principal: Principal, hazard_id: uuid.UUID
) -> dict[str, Any] | None:
    return await fetch_mapping(session, _by_id(principal), {"hazard_id": hazard_id})


async def get_for_update(
    session: AsyncSession, principal: Principal, hazard_id: uuid.UUID
) -> Hazard | None:
    params = {"hazard_id": hazard_id}
    hazard: Hazard | None = (
        await session.execute(_for_update(principal), params)
    ).scalar_one_or_none()
    return hazard


async def get_any(session: AsyncSession, hazard_id: uuid.UUID) -> Hazard | None:
    return await session.get(H, hazard_id)


def provisional_code(county_code: str, year: int, hazard_id: uuid.UUID) -> str:
    """A placeholder of the code's width, unique, never seen outside the creating transaction."""
    return f"{county_code}-{year}-~{hazard_id.hex[-11:]}"


async def unknown_clauses(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    if not ids:
        return []
    found = set(
        (
            await session.execute(select(CriteriaClause.id).where(CriteriaClause.id.in_(ids)))
        ).scalars()
    )
    return [i for i in ids if i not in found]


async def existing_experts(session: AsyncSession, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    stmt = select(Person.id).where(
        Person.id.in_(ids), Person.active.is_(True), Person.deleted_at.is_(None)
    )
    return set((await session.execute(stmt)).scalars())


async def attachments_of(
    session: AsyncSession, hazard_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> list[dict[str, Any]]:
    if not ids:
        return []
    stmt = select(Attachment.id, Attachment.purpose, Attachment.content_type).where(
        Attachment.hazard_id == hazard_id, Attachment.id.in_(ids)
    )
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


async def penalties_since(session: AsyncSession, enterprise_id: uuid.UUID, since: datetime) -> int:
    """Penalties (fine, suspension, power cut) on any hazard of the enterprise since ``since``."""
    stmt = (
        select(func.count())
        .select_from(HazardEvent)
        .join(H, H.id == HazardEvent.hazard_id)
        .where(
            H.enterprise_id == enterprise_id,
            HazardEvent.action == "escalate",
            HazardEvent.occurred_at >= since,
            HazardEvent.data["measure"].astext.in_(["fine", "suspension", "power_cut_notice"]),
        )
    )
    return int((await session.execute(stmt)).scalar_one())


def events_stmt(hazard_id: uuid.UUID) -> Select[Any]:
    E = HazardEvent  # noqa: N806
    columns: tuple[Any, ...] = (
        E.id,
        E.seq,
        E.hazard_id,
        E.occurred_at,
        E.action,
        E.from_status,
        E.to_status,
        E.actor_subject,
        E.actor_role,
        E.actor_person_id,
        E.actor_department_id,
        E.actor_enterprise_id,
        E.actor_region_code,
        E.comment,
        E.document_numbers,
        E.lat,
        E.lon,
        E.attachment_ids,
        E.data,
        E.hazard_version,
    )
    return select(*columns).where(E.hazard_id == hazard_id)


async def deadlines(session: AsyncSession, hazard_id: uuid.UUID) -> list[dict[str, Any]]:
    D = HazardDeadline  # noqa: N806
    stmt = (
        select(D.deadline, D.previous_deadline, D.reason, D.set_by, D.set_at)
        .where(D.hazard_id == hazard_id)
        .order_by(D.set_at, D.id)
    )
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


def nearby_stmt(
    principal: Principal, lat: float, lon: float, radius_m: float, open_only: bool, limit: int
) -> Select[Any]:
    """Bounding box on the (lat, lon) index, then the exact haversine distance in SQL."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    cos_lat = max(math.cos(math.radians(lat)), 1e-6)
    dlon = min(180.0, math.degrees(radius_m / (EARTH_RADIUS_M * cos_lat)))
    phi1, phi2 = math.radians(lat), func.radians(H.lat)
    half_dphi = (func.radians(H.lat) - phi1) / 2
    half_dlambda = (func.radians(H.lon) - math.radians(lon)) / 2
    a = func.power(func.sin(half_dphi), 2) + math.cos(phi1) * func.cos(phi2) * func.power(
        func.sin(half_dlambda), 2
    )
    distance = (2 * EARTH_RADIUS_M * func.asin(func.least(1.0, func.sqrt(a)))).label("distance_m")
    inner = select(*COLUMNS, distance).where(
        scope_predicate(principal),
        H.deleted_at.is_(None),
        H.lat.between(lat - dlat, lat + dlat),
        H.lon.between(lon - dlon, lon + dlon),
    )
    if open_only:
        inner = inner.where(H.status.not_in(TERMINAL_STATUSES))
    sub = inner.subquery()
    return (
        select(sub)
        .where(sub.c.distance_m <= radius_m)
        .order_by(sub.c.distance_m, sub.c.id)
        .limit(limit)
    )
