"""Report queries: every one from the caller's unit scope."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.scope import region_subtree, unit_scope
from app.enterprises.repository import scope_predicate
from app.models.enterprise import Enterprise
from app.models.hazard import Hazard
from app.models.statistics import EnterpriseStatisticsReport

R = EnterpriseStatisticsReport
E = Enterprise


async def enterprise(
    session: AsyncSession, principal: Principal, enterprise_id: uuid.UUID
) -> dict[str, Any] | None:
    stmt = select(E.id, E.region_code, E.sectors).where(
        E.id == enterprise_id, E.deleted_at.is_(None), scope_predicate(principal)
    )
    row = (await session.execute(stmt)).mappings().first()
    return dict(row) if row else None


async def hazard_figures(
    session: AsyncSession, enterprise_id: uuid.UUID, start: date, end: date, today: date
) -> dict[str, Any]:
    """Straight from the hazard table: one unit, one period (index on enterprise, found_at)."""
    h = Hazard
    found_on = func.timezone("Asia/Shanghai", h.found_at)
    live = and_(h.status != "cancelled")
    is_open = h.status.notin_(("closed", "cancelled"))
    stmt = select(
        func.count().filter(live).label("found"),
        func.count().filter(live, h.level == "general").label("general"),
        func.count().filter(live, h.level == "major").label("major"),
        func.count().filter(live, h.source == "self_inspection").label("self_inspection"),
        func.count().filter(h.status == "closed").label("closed"),
        func.count().filter(is_open).label("open"),
        func.count().filter(is_open, h.deadline < today).label("overdue"),
        func.count().filter(h.status == "closed", h.level == "major").label("major_cleared"),
        func.coalesce(func.sum(h.funds).filter(live), Decimal(0)).label("funds"),
    ).where(
        h.enterprise_id == enterprise_id, h.deleted_at.is_(None), found_on >= start, found_on < end
    )
    return dict((await session.execute(stmt)).mappings().one())


async def get(
    session: AsyncSession, principal: Principal, report_id: uuid.UUID, *, for_update: bool = False
) -> EnterpriseStatisticsReport | None:
    stmt = (
        select(R)
        .join(E, E.id == R.enterprise_id)
        .where(R.id == report_id, scope_predicate(principal))
    )
    if for_update:
        stmt = stmt.with_for_update(of=R)
    return (await session.execute(stmt)).scalar_one_or_none()


async def find(
    session: AsyncSession, enterprise_id: uuid.UUID, period: str
) -> EnterpriseStatisticsReport | None:
    stmt = select(R).where(R.enterprise_id == enterprise_id, R.period == period)
    return (await session.execute(stmt)).scalar_one_or_none()


async def overdue(
    session: AsyncSession,
    principal: Principal,
    *,
    period: str,
    region: str | None,
    after: uuid.UUID | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Live operating units in scope without a signed report for ``period``, by id."""
    stmt = (
        select(
            E.id.label("enterprise_id"),
            E.name.label("enterprise_name"),
            E.region_code,
            R.id.label("report_id"),
            R.status,
        )
        .outerjoin(R, and_(R.enterprise_id == E.id, R.period == period))
        .where(
            E.deleted_at.is_(None),
            E.status == "operating",
            unit_scope(principal, region=E.region_code, sectors=E.sectors, enterprise_id=E.id),
            (R.id.is_(None)) | (R.status != "signed"),
        )
        .order_by(E.id)
        .limit(limit)
    )
    if region:
        stmt = stmt.where(region_subtree(E.region_code, region))
    if after:
        stmt = stmt.where(E.id > after)
    return [dict(r) for r in (await session.execute(stmt)).mappings()]
