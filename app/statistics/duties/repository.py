"""Responsibility statistics queries (from the caller's scope)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.scope import region_subtree, unit_scope
from app.models.responsibility import ResponsibilityAssignment
from app.models.visit import InspectionVisit, VisitMember

A = ResponsibilityAssignment


async def duty_rows(
    session: AsyncSession,
    principal: Principal,
    *,
    region: str | None,
    region_length: int,
    start: datetime,
    end: datetime,
    dimension: str | None,
) -> list[dict[str, Any]]:
    """Per assignment valid in [start, end): visits due = whole intervals elapsed in it,
    visits made by the holder to the unit in that window; then summed per group."""
    v, m = InspectionVisit, VisitMember
    low = func.greatest(A.valid_from, literal(start))
    high = func.least(func.coalesce(A.valid_to, literal(end)), literal(end))
    days = func.extract("epoch", high - low) / 86400.0
    due = cast(func.floor(days / A.required_visit_days), Integer)
    made = (
        select(func.count(func.distinct(v.id)))
        .join(m, m.visit_id == v.id)
        .where(
            m.person_id == A.holder_person_id,
            v.enterprise_id == A.enterprise_id,
            v.status != "cancelled",
            v.started_at.is_not(None),
            v.started_at >= low,
            v.started_at < high,
        )
        .correlate(A)
        .scalar_subquery()
    )
    keys = {"kind": A.kind, "region": func.substr(A.region_code, 1, region_length)}
    per = (
        select(
            A.id,
            (keys[dimension] if dimension else literal(None)).label("key"),
            due.label("due"),
            made.label("made"),
        )
        .where(
            unit_scope(
                principal, region=A.region_code, sectors=A.sectors, enterprise_id=A.enterprise_id
            ),
            A.deleted_at.is_(None),
            A.holder_type == "person",
            A.holder_person_id.is_not(None),
            A.enterprise_id.is_not(None),
            A.required_visit_days.is_not(None),
            A.required_visit_days > 0,
            A.valid_from < end,
            (A.valid_to.is_(None)) | (A.valid_to > start),
        )
        .subquery()
    )
    if region:
        per = (
            select(per)
            .where(per.c.id.in_(select(A.id).where(region_subtree(A.region_code, region))))
            .subquery()
        )
    stmt = select(
        per.c.key,
        func.count().label("assignments"),
        func.coalesce(func.sum(per.c.due), 0).label("visits_due"),
        func.coalesce(func.sum(func.least(per.c.made, per.c.due)), 0).label("visits_done"),
        func.coalesce(func.sum(per.c.made), 0).label("visits_made"),
    ).group_by(per.c.key)
    return [dict(r) for r in (await session.execute(stmt)).mappings()]
