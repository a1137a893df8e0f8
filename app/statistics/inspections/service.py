"""Inspection statistics: visits by type, lead department, month or region; share of units in
scope visited; hazards per visit; leader-led visits."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.scope import require
from app.core import request_context
from app.core.enums import REGISTRY
from app.statistics.figures import repository as figures_repository
from app.statistics.figures.service import effective_region
from app.statistics.inspections import repository
from app.statistics.inspections.repository import Period
from app.statistics.inspections.schemas import (
    InspectionFigures,
    InspectionGroup,
    InspectionStatistics,
    InspectionStatisticsFilter,
)

_CHILD_LENGTH = {2: 4, 4: 6, 6: 9, 9: 9, 12: 12}


def _month_start(text: str | None) -> date | None:
    return date(int(text[:4]), int(text[5:7]), 1) if text else None


def _month_after(text: str | None) -> date | None:
    if not text:
        return None
    year, month = int(text[:4]), int(text[5:7])
    return date(year + month // 12, month % 12 + 1, 1)


def _figures(row: dict[str, int]) -> dict[str, float | int | None]:
    visits = int(row.get("visits", 0))
    found = int(row.get("hazards_found", 0))
    return {
        "visits": visits,
        "leader_led": int(row.get("leader_led", 0)),
        "enterprises_visited": int(row.get("enterprises_visited", 0)),
        "hazards_found": found,
        "hazards_per_visit": round(found / visits, 4) if visits else None,
    }


async def inspection_statistics(
    session: AsyncSession, principal: Principal, query: InspectionStatisticsFilter
) -> InspectionStatistics:
    require(principal, "statistics:read")
    region = effective_region(principal, query.region)
    period = Period(
        region=region,
        region_length=_CHILD_LENGTH.get(len(region), len(region)) if region else 2,
        sectors=[s.value for s in query.sector],
        campaign_id=query.campaign_id,
        start=_month_start(query.period_from),
        end=_month_after(query.period_to),
    )
    dimension = query.group_by.value if query.group_by else None
    totals_row = (await repository.figures(session, principal, period, None))[0]
    rows = await repository.figures(session, principal, period, dimension) if dimension else []
    in_scope = await repository.enterprises_in_scope(session, principal, period)
    zh = request_context.current.get().language.startswith("zh")
    names: dict[str, str] = {}
    if dimension == "region":
        names = await figures_repository.region_names(session, {r["key"] for r in rows if r["key"]})
    elif dimension == "department":
        found = await figures_repository.department_names(
            session, {r["key"] for r in rows if r["key"]}
        )
        names = {str(k): v for k, v in found.items()}
    elif dimension == "type" and "visit_type" in REGISTRY:
        names = {
            k: (zh_label if zh else en) for k, (en, zh_label) in REGISTRY["visit_type"][1].items()
        }
    groups = []
    for row in sorted(rows, key=lambda r: "" if r["key"] is None else str(r["key"])):
        key = None if row["key"] is None else str(row["key"])
        label = names.get(key, key) if key is not None else None
        groups.append(InspectionGroup(key=key, label=label, **_figures(row)))
    totals = InspectionFigures(**_figures(totals_row))
    return InspectionStatistics(
        group_by=query.group_by,
        region=region,
        period_from=period.start,
        period_to=period.end,
        totals=totals,
        enterprises_in_scope=in_scope,
        visited_share=round(totals.enterprises_visited / in_scope, 4) if in_scope else None,
        groups=groups,
    )
