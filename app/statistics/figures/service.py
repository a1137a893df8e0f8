"""Hazard statistics: figures read from the trigger-maintained rollups (never a GROUP BY over
the hazard table), so a county's figures cost the same at 1 or 10 million hazards.

Per group: found (cancelled excluded), closed, open, cancelled, overdue (open with a deadline
before today, from the per-deadline rollup), rectification rate (closed ÷ found), on-time rate
(closed on or before the deadline ÷ closed with a deadline), major open and cleared, and the
exact median days from found to closed (from the per-day histogram).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal, Role
from app.auth.scope import require
from app.core import request_context
from app.core.clock import today_china
from app.core.enums import REGISTRY
from app.core.errors import NotFound, Unprocessable
from app.models.statistics import OPEN_STATUSES, STATUS_COLUMNS
from app.statistics.figures import repository
from app.statistics.figures.repository import NIL, Scope
from app.statistics.figures.schemas import (
    HazardFigures,
    HazardGroup,
    HazardStatistics,
    HazardStatisticsFilter,
)

_CHILD_LENGTH = {2: 4, 4: 6, 6: 9, 9: 9, 12: 12}
_SECTOR_BOUND = {Role.department_official, Role.inspector, Role.system}
_ENUMS = {
    "sector": "sector",
    "level": "hazard_level",
    "source": "hazard_source",
    "status": "hazard_status",
}
Key = tuple[Any, ...]


def _month(text: str | None) -> date | None:
    return date(int(text[:4]), int(text[5:7]), 1) if text else None


def effective_region(principal: Principal, wanted: str | None) -> str | None:
    """The filter region clamped to the caller's region; 404 when the two do not overlap."""
    own = None if principal.role is Role.admin else principal.region_code
    if own and wanted:
        if wanted.startswith(own):
            return wanted
        if own.startswith(wanted):
            return own
        raise NotFound(
            "Region not found in your scope", "该区划不在您的管辖范围内", code="out_of_scope"
        )
    return wanted or own


def _scope(principal: Principal, query: HazardStatisticsFilter) -> Scope:
    if principal.role not in (Role.admin, Role.system) and not principal.region_code:
        raise NotFound(
            "Region not found in your scope", "该区划不在您的管辖范围内", code="out_of_scope"
        )
    region = effective_region(principal, query.region)
    sectors = [s.value for s in query.sector]
    if principal.role in _SECTOR_BOUND and principal.sectors is not None:
        sectors = (
            [s for s in sectors if s in principal.sectors] if sectors else sorted(principal.sectors)
        )
        if not sectors:
            sectors = ["-"]  # asked only for sectors outside the caller's: nothing
    return Scope(
        region=region,
        region_length=_CHILD_LENGTH.get(len(region), len(region)) if region else 2,
        sectors=sectors,
        levels=[v.value for v in query.level],
        sources=[v.value for v in query.source],
        department_id=query.department_id,
        month_from=_month(query.period_from),
        month_to=_month(query.period_to),
    )


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _figures(
    m: dict[str, int], overdue: int | None, median: float | None, status: str | None = None
) -> dict[str, Any]:
    if status is not None:  # one status of a "status" group: counts only
        n = m.get(f"n_{status}", 0)
        closed = n if status == "closed" else 0
        return {
            "found": 0 if status == "cancelled" else n,
            "closed": closed,
            "open": n if status in OPEN_STATUSES else 0,
            "cancelled": n if status == "cancelled" else 0,
            "overdue": None,
            "rectification_rate": None,
            "on_time_rate": _rate(m["closed_on_time"], m["closed_with_deadline"])
            if status == "closed"
            else None,
            "major_open": None,
            "major_cleared": m["major_closed"] if closed else None,
            "median_days_to_close": median if status == "closed" else None,
        }
    cancelled = m.get("n_cancelled", 0)
    found = sum(m.get(f"n_{s}", 0) for s in STATUS_COLUMNS) - cancelled
    closed = m.get("n_closed", 0)
    return {
        "found": found,
        "closed": closed,
        "open": sum(m.get(f"n_{s}", 0) for s in OPEN_STATUSES),
        "cancelled": cancelled,
        "overdue": overdue or 0,
        "rectification_rate": _rate(closed, found),
        "on_time_rate": _rate(m.get("closed_on_time", 0), m.get("closed_with_deadline", 0)),
        "major_open": m.get("major_open", 0),
        "major_cleared": m.get("major_closed", 0),
        "median_days_to_close": median,
    }


def _add(into: dict[str, int], row: dict[str, Any]) -> None:
    for name in repository.MEASURES:
        into[name] = into.get(name, 0) + int(row[name])


async def hazard_statistics(
    session: AsyncSession, principal: Principal, query: HazardStatisticsFilter
) -> HazardStatistics:
    require(principal, "statistics:read")
    group_by = list(dict.fromkeys(d.value for d in query.group_by))
    needed = (
        set(group_by)
        | ({"level"} if query.level else set())
        | ({"source"} if query.source else set())
        | ({"department"} if query.department_id else set())
    )
    cuboid = repository.pick_cuboid(needed)
    if cuboid is None:
        raise Unprocessable.field(
            ["query", "group_by"],
            "Level, source and department cannot be combined (as groups or filters) in one request",
            "statistics_combination_unsupported",
            "隐患等级、来源、部门不能在同一请求中组合分组或筛选",
            code="statistics_combination_unsupported",
        )
    table, histogram = cuboid
    scope = _scope(principal, query)
    dims = [d for d in group_by if d != "status"]
    today = today_china()
    late: list[dict[str, Any]] = []
    sign = 1
    days: Select[Any] | None = None  # the days-to-close histogram to take medians from
    if query.campaign_id is not None:  # a campaign's hazards, counted directly
        rows = await repository.campaign_measures(session, dims, scope, query.campaign_id, today)
        if query.median:
            days = repository.campaign_close_days(dims, scope, query.campaign_id)
    else:
        rows = await repository.measures(session, table, dims, scope)
        if query.median and repository.yearly_histogram_fits(table, dims, scope):
            days = repository.close_days_yearly(dims, scope)
        elif query.median:
            days = repository.close_days(histogram, dims, scope)
        as_of = rows[0]["as_of"] if rows else await repository.overdue_clock(session)
        sign = 1 if today > as_of else -1
        if as_of != today:
            late = await repository.overdue_correction(
                session, dims, scope, min(as_of, today), max(as_of, today)
            )

    def key(row: dict[str, Any]) -> Key:
        return tuple(_plain(d, row[d]) for d in dims)

    sums: dict[Key, dict[str, int]] = defaultdict(dict)
    for row in rows:
        _add(sums[key(row)], row)
    overdue: dict[Key, int] = defaultdict(int)
    for row in rows:
        overdue[key(row)] += int(row["overdue"])
    for row in late:
        overdue[key(row)] += sign * int(row["n"])
    median: dict[Key, float | None] = {}
    total_median = None
    for row in await repository.medians(session, days, dims) if days is not None else []:
        value = None if row["median"] is None else float(row["median"])
        if row["total"]:
            total_median = value
        else:
            median[key(row)] = value
    if not dims:  # status alone: the closed group's median is the total one
        median[()] = total_median

    total: dict[str, int] = {}
    for m in sums.values():
        _add(total, m)
    labels = await _labels(session, dims, sums.keys())
    groups = []
    for k in sorted(sums, key=lambda k: tuple("" if v is None else str(v) for v in k)):
        m = sums[k]
        if dims and not any(m.values()):
            continue  # rollup rows emptied by later changes stay, but are no group
        base_key = dict(zip(dims, k, strict=True))
        statuses: Iterable[str | None] = STATUS_COLUMNS if "status" in group_by else [None]
        for status in statuses:
            if status is not None and not m.get(f"n_{status}"):
                continue
            full = {d: (status if d == "status" else base_key[d]) for d in group_by}
            figures = _figures(m, overdue.get(k, 0), median.get(k), status)
            groups.append(
                HazardGroup(key=full, label={d: labels(d, v) for d, v in full.items()}, **figures)
            )
    return HazardStatistics(
        group_by=query.group_by,
        region=scope.region,
        as_of=today,
        totals=HazardFigures(**_figures(total, sum(overdue.values()), total_median)),
        groups=groups,
    )


def _plain(dimension: str, value: Any) -> str | None:
    if dimension == "month":
        return str(value.isoformat()[:7])
    if dimension == "department":
        return None if value == NIL else str(value)
    if dimension == "level":
        return value or None
    return None if value is None else str(value)


async def _labels(session: AsyncSession, dims: list[str], keys: Iterable[Key]) -> Any:
    keys = list(keys)
    zh = request_context.current.get().language.startswith("zh")
    regions: dict[str, str] = {}
    departments: dict[uuid.UUID, str] = {}
    if "region" in dims:
        i = dims.index("region")
        regions = await repository.region_names(session, {k[i] for k in keys if k[i]})
    if "department" in dims:
        i = dims.index("department")
        departments = await repository.department_names(
            session, {uuid.UUID(k[i]) for k in keys if k[i]}
        )

    def label(dimension: str, value: str | None) -> str | None:
        if value is None:
            return None
        if dimension == "region":
            return regions.get(value)
        if dimension == "department":
            return departments.get(uuid.UUID(value))
        if dimension in _ENUMS and _ENUMS[dimension] in REGISTRY:
            en, zh_label = REGISTRY[_ENUMS[dimension]][1].get(value, (value, value))
            return zh_label if zh else en
        return value

    return label


async def roll_overdue_clock(session: AsyncSession) -> int:
    """For the worker, once a day after midnight (China time), then commit: move the overdue
    counters of the rollups to today. Figures are exact without it (readers count the missed
    days directly), only slower as the gap grows. Returns the days moved."""
    return await repository.roll_overdue_clock(session, today_china())
