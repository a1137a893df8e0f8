"""Inspection statistics queries: completed visits in the caller's scope.

Visits are an order of magnitude fewer than hazards and are counted directly (the completed_at
index keeps a period's scan small); a trigger-kept rollup as for hazards can replace this."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, Select, cast, distinct, func, select
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.scope import region_subtree, unit_scope
from app.models.enterprise import Enterprise
from app.models.hazard import Hazard
from app.models.visit import InspectionVisit

V = InspectionVisit


@dataclass(frozen=True)
class Period:
    region: str | None
    region_length: int
    sectors: list[str]
    campaign_id: uuid.UUID | None
    start: date | None
    end: date | None  # exclusive


def _completed_on() -> Any:
    return cast(func.timezone("Asia/Shanghai", V.completed_at), Date)


def _visits(principal: Principal, p: Period) -> Select[Any]:
    stmt = select(
        V.id,
        V.type,
        V.lead_department_id,
        V.enterprise_id,
        V.leading_official,
        V.region_code,
        _completed_on().label("completed_on"),
    ).where(
        V.status == "completed",
        V.deleted_at.is_(None),
        unit_scope(
            principal, region=V.region_code, sectors=V.sectors, enterprise_id=V.enterprise_id
        ),
    )
    if p.region:
        stmt = stmt.where(region_subtree(V.region_code, p.region))
    if p.sectors:
        stmt = stmt.where(V.sectors.overlap(array(p.sectors)))
    if p.campaign_id:
        stmt = stmt.where(V.campaign_id == p.campaign_id)
    if p.start:
        stmt = stmt.where(_completed_on() >= p.start)
    if p.end:
        stmt = stmt.where(_completed_on() < p.end)
    return stmt


async def figures(
    session: AsyncSession, principal: Principal, p: Period, dimension: str | None
) -> list[dict[str, Any]]:
    visits = _visits(principal, p).subquery("v")
    hazards = (
        select(Hazard.visit_id, func.count().label("n"))
        .where(
            Hazard.visit_id.in_(select(visits.c.id)),
            Hazard.deleted_at.is_(None),
            Hazard.status != "cancelled",
        )
        .group_by(Hazard.visit_id)
        .subquery("h")
    )
    keys = {
        "type": visits.c.type,
        "department": visits.c.lead_department_id,
        "month": func.to_char(visits.c.completed_on, "YYYY-MM"),
        "region": func.substr(visits.c.region_code, 1, p.region_length),
    }
    key = keys[dimension].label("key") if dimension else None
    cols = [
        func.count().label("visits"),
        func.count()
        .filter((visits.c.type == "leader_led") | visits.c.leading_official.is_not(None))
        .label("leader_led"),
        func.count(distinct(visits.c.enterprise_id)).label("enterprises_visited"),
        func.coalesce(func.sum(hazards.c.n), 0).label("hazards_found"),
    ]
    stmt = select(*([key] if key is not None else []), *cols).select_from(
        visits.outerjoin(hazards, hazards.c.visit_id == visits.c.id)
    )
    if key is not None:
        stmt = stmt.group_by(key)
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


async def enterprises_in_scope(session: AsyncSession, principal: Principal, p: Period) -> int:
    E = Enterprise  # noqa: N806
    stmt = (
        select(func.count())
        .select_from(E)
        .where(
            E.deleted_at.is_(None),
            E.status != "closed",
            unit_scope(principal, region=E.region_code, sectors=E.sectors, enterprise_id=E.id),
        )
    )
    if p.region:
        stmt = stmt.where(region_subtree(E.region_code, p.region))
    if p.sectors:
        stmt = stmt.where(E.sectors.overlap(array(p.sectors)))
    count: int = (await session.execute(stmt)).scalar_one()
    return count
