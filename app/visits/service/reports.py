"""Coverage (who has not been visited) and the visit calendar."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.scope import region_subtree, require, unit_scope
from app.config import Settings
from app.core.clock import CHINA_TZ
from app.core.errors import Unprocessable
from app.core.listing import ListSpec, run_list
from app.models.enterprise import Enterprise
from app.models.visit import InspectionVisit, VisitMember
from app.visits import repository
from app.visits.schemas import (
    Calendar,
    CalendarDay,
    CalendarEntry,
    CalendarFilter,
    CoverageFilter,
    CoverageItem,
)

E, V = Enterprise, InspectionVisit
RISK_RANK = case({"red": 0, "orange": 1, "yellow": 2, "blue": 3}, value=E.risk_grade, else_=4)
COVERAGE_SPEC = ListSpec(
    "visit_coverage", {"risk": RISK_RANK, "name": E.name, "id": E.id}, "risk,name", E.id
)
MAX_CALENDAR_DAYS = 366
MAX_CALENDAR_ENTRIES = 2000
# Visits that count as the government having been there (a self-inspection does not).
_VISITED_STATUSES = ("in_progress", "completed")


def china_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=CHINA_TZ)


def _check_period(start: date, end: date, max_days: int | None = None) -> None:
    if end < start:
        raise Unprocessable.field(
            ["query", "to"],
            "'to' is before 'from'",
            "period_reversed",
            "结束日期早于开始日期",
            code="period_reversed",
        )
    if max_days is not None and (end - start).days > max_days:
        raise Unprocessable.field(
            ["query", "to"],
            f"At most {max_days} days at once",
            "period_too_long",
            f"查询区间不能超过 {max_days} 天",
            code="period_too_long",
        )


def visited_between(start: date, end: date) -> Any:
    """An inspection (not a self-inspection) at the unit started within the period."""
    return exists().where(
        V.enterprise_id == E.id,
        V.deleted_at.is_(None),
        V.type != "self_inspection",
        V.status.in_(_VISITED_STATUSES),
        V.started_at >= china_start(start),
        V.started_at < china_start(end + timedelta(days=1)),
    )


async def coverage(
    session: AsyncSession, settings: Settings, principal: Principal, query: CoverageFilter
) -> tuple[list[CoverageItem], str | None]:
    """Units in scope not visited in the period, highest risk grade first."""
    require(principal, "visit:read")
    require(principal, "enterprise:read")
    _check_period(query.from_, query.to)
    last = (
        select(func.max(V.started_at))
        .where(
            V.enterprise_id == E.id,
            V.type != "self_inspection",
            V.deleted_at.is_(None),
            V.status.in_(_VISITED_STATUSES),
            V.started_at < china_start(query.from_),
        )
        .scalar_subquery()
    )
    stmt = select(
        E.id,
        E.name,
        E.region_code,
        E.sectors,
        E.risk_grade,
        last.label("last_visited_at"),
        RISK_RANK.label("_sort_risk"),
    ).where(
        unit_scope(principal, region=E.region_code, sectors=E.sectors, enterprise_id=E.id),
        E.deleted_at.is_(None),
        E.status != "closed",
        ~visited_between(query.from_, query.to),
    )
    if query.region:
        stmt = stmt.where(region_subtree(E.region_code, query.region))
    if query.sector:
        stmt = stmt.where(E.sectors.overlap(array([s.value for s in query.sector])))
    listed = await run_list(
        session,
        settings,
        COVERAGE_SPEC,
        stmt,
        filters=query.model_dump(exclude={"limit", "cursor"}, mode="json"),
        sort=None,
        cursor=query.cursor,
        limit=query.limit,
    )
    rows, next_cursor = listed.rows, listed.next_cursor
    return [
        CoverageItem(
            enterprise_id=r["id"],
            name=r["name"],
            region_code=r["region_code"],
            sectors=r["sectors"],
            risk_grade=r["risk_grade"],
            last_visited_at=r["last_visited_at"],
        )
        for r in rows
    ], next_cursor


async def calendar(session: AsyncSession, principal: Principal, query: CalendarFilter) -> Calendar:
    """Visits by planned date, for a unit (lead or participating) or a person on them."""
    require(principal, "visit:read")
    _check_period(query.from_, query.to, MAX_CALENDAR_DAYS)
    stmt = (
        select(
            V.id,
            V.type,
            V.status,
            V.planned_on,
            V.enterprise_id,
            E.name.label("enterprise_name"),
            V.lead_department_id,
        )
        .join(E, E.id == V.enterprise_id)
        .where(
            repository.scope_predicate(principal),
            V.deleted_at.is_(None),
            V.planned_on >= query.from_,
            V.planned_on <= query.to,
        )
        .order_by(V.planned_on, V.id)
        .limit(MAX_CALENDAR_ENTRIES)
    )
    if query.unit is not None:
        stmt = stmt.where(
            or_(
                V.lead_department_id == query.unit,
                V.participating_department_ids.contains([query.unit]),
            )
        )
    if query.inspector is not None:
        stmt = stmt.where(
            exists().where(
                and_(VisitMember.visit_id == V.id, VisitMember.person_id == query.inspector)
            )
        )
    days: dict[date, list[CalendarEntry]] = defaultdict(list)
    for row in (await session.execute(stmt)).mappings():
        days[row["planned_on"]].append(CalendarEntry.model_validate(dict(row)))
    return Calendar(days=[CalendarDay(date=d, visits=v) for d, v in sorted(days.items())])
