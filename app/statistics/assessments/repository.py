"""Assessment queries, scoped by the caller's region, and the units of a county."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.scope import region_scope, region_subtree
from app.models.reference import Department, Region
from app.models.statistics import Assessment

A = Assessment


async def get_for_update(
    session: AsyncSession, principal: Principal, assessment_id: uuid.UUID
) -> Assessment | None:
    stmt = select(A).where(A.id == assessment_id, region_scope(principal, A.region_code))
    return (await session.execute(stmt.with_for_update())).scalar_one_or_none()


async def get(
    session: AsyncSession, principal: Principal, assessment_id: uuid.UUID
) -> Assessment | None:
    stmt = select(A).where(A.id == assessment_id, region_scope(principal, A.region_code))
    return (await session.execute(stmt)).scalar_one_or_none()


async def find(
    session: AsyncSession, year: int, unit_kind: str, region_code: str
) -> Assessment | None:
    stmt = select(A).where(A.year == year, A.unit_kind == unit_kind, A.region_code == region_code)
    return (await session.execute(stmt)).scalar_one_or_none()


async def listed(
    session: AsyncSession,
    principal: Principal,
    *,
    year: int | None,
    unit_kind: str | None,
    region: str | None,
) -> list[dict[str, Any]]:
    stmt = select(A.id, A.year, A.unit_kind, A.region_code, A.title, A.status, A.version).where(
        region_scope(principal, A.region_code)
    )
    if year:
        stmt = stmt.where(A.year == year)
    if unit_kind:
        stmt = stmt.where(A.unit_kind == unit_kind)
    if region:
        stmt = stmt.where(region_subtree(A.region_code, region))
    stmt = stmt.order_by(A.year.desc(), A.region_code, A.unit_kind).limit(500)
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


async def towns(session: AsyncSession, county: str) -> dict[str, str]:
    stmt = select(Region.code, Region.name).where(Region.parent_code == county)
    return {code: name for code, name in (await session.execute(stmt)).all()}


async def departments(session: AsyncSession, county: str) -> dict[str, str]:
    stmt = select(Department.id, Department.name).where(
        Department.region_code == county,
        Department.kind == "department",
        Department.deleted_at.is_(None),
    )
    return {str(i): name for i, name in (await session.execute(stmt)).all()}
