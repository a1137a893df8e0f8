"""Responsibility statistics: required visits (包保 leaders, major-hazard-source roles, any
person-held assignment with a visit interval) done versus due in a period, counted directly:
assignments are few (thousands per county), visits per assignment are looked up by index."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.scope import require
from app.core import request_context
from app.core.clock import CHINA_TZ, today_china, utcnow
from app.core.enums import REGISTRY
from app.core.errors import Unprocessable
from app.statistics.duties import repository
from app.statistics.duties.schemas import (
    DutyFigures,
    DutyGroup,
    ResponsibilityStatistics,
    ResponsibilityStatisticsFilter,
)
from app.statistics.figures import repository as figures_repository
from app.statistics.figures.service import effective_region

_CHILD_LENGTH = {2: 4, 4: 6, 6: 9, 9: 9, 12: 12}


def _at(day: date) -> datetime:
    return datetime.combine(day, time(0), CHINA_TZ)


def _figures(row: dict[str, int]) -> dict[str, float | int | None]:
    due, done = int(row.get("visits_due", 0)), int(row.get("visits_done", 0))
    return {
        "assignments": int(row.get("assignments", 0)),
        "visits_due": due,
        "visits_done": done,
        "visits_made": int(row.get("visits_made", 0)),
        "completion_rate": round(done / due, 4) if due else None,
    }


async def responsibility_statistics(
    session: AsyncSession, principal: Principal, query: ResponsibilityStatisticsFilter
) -> ResponsibilityStatistics:
    require(principal, "statistics:read")
    region = effective_region(principal, query.region)
    today = today_china()
    start_day = (
        date(int(query.period_from[:4]), int(query.period_from[5:]), 1)
        if query.period_from
        else date(today.year, 1, 1)
    )
    if query.period_to:
        year, month = int(query.period_to[:4]), int(query.period_to[5:])
        end = _at(date(year + month // 12, month % 12 + 1, 1))
    else:
        end = utcnow()
    end = min(end, utcnow())  # nothing is due in the future
    start = _at(start_day)
    if start >= end:
        raise Unprocessable.field(
            ["query", "period_from"],
            "The period is empty or in the future",
            "period_empty",
            "统计期为空或尚未开始",
            code="period_empty",
        )
    length = _CHILD_LENGTH.get(len(region), len(region)) if region else 2
    dimension = query.group_by.value if query.group_by else None
    [totals] = await repository.duty_rows(
        session,
        principal,
        region=region,
        region_length=length,
        start=start,
        end=end,
        dimension=None,
    ) or [{}]
    rows = (
        await repository.duty_rows(
            session,
            principal,
            region=region,
            region_length=length,
            start=start,
            end=end,
            dimension=dimension,
        )
        if dimension
        else []
    )
    zh = request_context.current.get().language.startswith("zh")
    names: dict[str, str] = {}
    if dimension == "region":
        names = await figures_repository.region_names(session, {r["key"] for r in rows if r["key"]})
    elif dimension == "kind" and "responsibility_kind" in REGISTRY:
        names = {k: (z if zh else en) for k, (en, z) in REGISTRY["responsibility_kind"][1].items()}
    groups = [
        DutyGroup(key=r["key"], label=names.get(r["key"], r["key"]), **_figures(r))
        for r in sorted(rows, key=lambda r: str(r["key"]))
    ]
    return ResponsibilityStatistics(
        group_by=query.group_by,
        region=region,
        period_start=start,
        period_end=end,
        totals=DutyFigures(**_figures(totals)),
        groups=groups,
    )
