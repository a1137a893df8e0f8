"""Queries over the hazard rollups: each starts from the caller's region (and sectors)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Select,
    bindparam,
    cast,
    func,
    literal,
    null,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.scope import region_subtree, region_upper_bound
from app.core.rows import fetch_mappings
from app.models.hazard import Hazard
from app.models.reference import Department, Region
from app.models.statistics import (
    STATUS_COLUMNS,
    HazardCloseDaysDepartment,
    HazardCloseDaysRegion,
    HazardCloseDaysRegionYear,
    HazardCloseDaysSource,
    HazardOverdueClock,
    HazardRollupDepartment,
    HazardRollupRegion,
    HazardRollupSource,
)
from app.models.visit import InspectionVisit

NIL = uuid.UUID(int=0)
MEASURES = (
    *(f"n_{s}" for s in STATUS_COLUMNS),
    "closed_with_deadline",
    "closed_on_time",
    "major_open",
    "major_closed",
    "overdue",
)
# cuboid (measures, histogram) by the one dimension that only it has
CUBOIDS: dict[str | None, tuple[Any, Any]] = {
    None: (HazardRollupRegion, HazardCloseDaysRegion),
    "level": (HazardRollupRegion, HazardCloseDaysRegion),
    "source": (HazardRollupSource, HazardCloseDaysSource),
    "department": (HazardRollupDepartment, HazardCloseDaysDepartment),
}
# dimensions every cuboid has ("status" is a set of measure columns, not a key)
COMMON = {"region", "sector", "month", "status"}


@dataclass(frozen=True)
class Scope:
    """Where and what: region subtree (None = everything), sectors, filters."""

    region: str | None
    region_length: int  # the grouping length of the "region" dimension
    sectors: Sequence[str]
    levels: Sequence[str]
    sources: Sequence[str]
    department_id: uuid.UUID | None
    month_from: date | None
    month_to: date | None


def pick_cuboid(needed: set[str]) -> tuple[Any, Any] | None:
    special = needed - COMMON
    if len(special) > 1:
        return None
    return CUBOIDS[special.pop() if special else None]


class _HazardColumns:
    """The hazard table seen with the rollup key names (for the overdue correction)."""

    region_code = Hazard.region_code
    sector = Hazard.sector
    level = func.coalesce(Hazard.level, "")
    source = Hazard.source
    department_id = func.coalesce(Hazard.order_department_id, literal(NIL))
    found_month = cast(
        func.date_trunc("month", func.timezone("Asia/Shanghai", Hazard.found_at)), Date
    )


def _dimension(table: Any, name: str, region_length: int) -> ColumnElement[Any]:
    if name == "region":
        return func.substr(table.region_code, 1, region_length).label("region")
    if name == "month":
        return table.found_month.label("month")  # type: ignore[no-any-return]
    if name == "department":
        return table.department_id.label("department")  # type: ignore[no-any-return]
    return getattr(table, name).label(name)  # type: ignore[no-any-return]


def _where(stmt: Select[Any], table: Any, scope: Scope) -> Select[Any]:
    if scope.region:
        stmt = stmt.where(region_subtree(table.region_code, scope.region))
    if scope.sectors:
        stmt = stmt.where(table.sector.in_(scope.sectors))
    if scope.levels:
        stmt = stmt.where(table.level.in_(scope.levels))
    if scope.sources:
        stmt = stmt.where(table.source.in_(scope.sources))
    if scope.department_id is not None:
        stmt = stmt.where(table.department_id == scope.department_id)
    if scope.month_from:
        stmt = stmt.where(table.found_month >= scope.month_from)
    if scope.month_to:
        stmt = stmt.where(table.found_month <= scope.month_to)
    return stmt


def _shape(scope: Scope) -> tuple[bool, ...]:
    """Which filters a scope sets (the values go in as parameters)."""
    return (
        bool(scope.region),
        bool(scope.sectors),
        bool(scope.levels),
        bool(scope.sources),
        scope.department_id is not None,
        scope.month_from is not None,
        scope.month_to is not None,
    )


def _parameters(scope: Scope) -> dict[str, Any]:
    return {
        "region_low": scope.region,
        "region_high": region_upper_bound(scope.region) if scope.region else None,
        "sectors": list(scope.sectors),
        "levels": list(scope.levels),
        "sources": list(scope.sources),
        "department_id": scope.department_id,
        "month_from": scope.month_from,
        "month_to": scope.month_to,
    }


@lru_cache(maxsize=512)
def _measures_statement(
    table: Any, dims: tuple[str, ...], region_length: int, shape: tuple[bool, ...]
) -> Select[Any]:
    """Built once per query shape: building the 14 sums costs more than the query itself."""
    cols = [_dimension(table, d, region_length) for d in dims]
    sums = [func.coalesce(func.sum(getattr(table, m)), 0).label(m) for m in MEASURES]
    # the clock in the same statement: the same snapshot as the overdue counts
    clock = select(HazardOverdueClock.as_of).where(HazardOverdueClock.id == 1)
    stmt = select(*cols, *sums, clock.scalar_subquery().label("as_of"))
    region, sectors, levels, sources, department, month_from, month_to = shape
    if region:
        stmt = stmt.where(
            table.region_code >= bindparam("region_low"),
            table.region_code < bindparam("region_high"),
        )
    for present, column, name in (
        (sectors, "sector", "sectors"),
        (levels, "level", "levels"),
        (sources, "source", "sources"),
    ):
        if present:
            stmt = stmt.where(getattr(table, column).in_(bindparam(name, expanding=True)))
    if department:
        stmt = stmt.where(table.department_id == bindparam("department_id"))
    if month_from:
        stmt = stmt.where(table.found_month >= bindparam("month_from"))
    if month_to:
        stmt = stmt.where(table.found_month <= bindparam("month_to"))
    return stmt.group_by(*cols)


async def measures(
    session: AsyncSession, table: Any, dims: Sequence[str], scope: Scope
) -> list[dict[str, Any]]:
    """The summed measures per group, each row with the overdue clock's date (``as_of``)."""
    stmt = _measures_statement(table, tuple(dims), scope.region_length, _shape(scope))
    return await fetch_mappings(session, stmt, _parameters(scope))


def close_days(table: Any, dims: Sequence[str], scope: Scope) -> Select[Any]:
    """The days-to-close histogram per group (dims…, days, n) from a cuboid's histogram."""
    cols = [_dimension(table, d, scope.region_length) for d in dims]
    stmt = _where(select(*cols, table.days, func.sum(table.n).label("n")), table, scope)
    return stmt.group_by(*cols, table.days).having(func.sum(table.n) > 0)


def _middle(histogram: Any, keys: list[Any]) -> Select[Any]:
    """The exact median of each partition of a (keys…, days, n) histogram: the mean of the
    days at the two middle positions, (total + 1) // 2 and total // 2 + 1 (1-based)."""
    partition = keys or None
    running = func.sum(histogram.c.n).over(partition_by=partition, order_by=histogram.c.days)
    whole = func.sum(histogram.c.n).over(partition_by=partition)
    c = select(  # integers, so that // below divides as integers (a sum of sums is numeric)
        *keys,
        histogram.c.days,
        cast(running, BigInteger).label("upto"),
        cast(whole, BigInteger).label("total"),
    ).subquery()
    out = [c.c[k.name] for k in keys]
    low = func.min(c.c.days).filter(c.c.upto >= (c.c.total + 1) // 2)
    high = func.min(c.c.days).filter(c.c.upto >= c.c.total // 2 + 1)
    return select(*out, ((low + high) / 2.0).label("median")).group_by(*out)


async def medians(
    session: AsyncSession, histogram: Select[Any], dims: Sequence[str]
) -> list[dict[str, Any]]:
    """Median days to close per group and over all groups (``total``), computed in the
    database: one row per group comes back instead of every (group, day) of the histogram."""
    h = histogram.cte("h")
    keys = [h.c[d] for d in dims]
    totals = select(h.c.days, func.sum(h.c.n).label("n")).group_by(h.c.days).subquery()
    groups = _middle(h, keys).add_columns(literal(False).label("total"))
    whole = _middle(totals, []).add_columns(literal(True).label("total"))
    whole = select(*(null().label(d) for d in dims), *whole.subquery().c)
    stmt = groups.union_all(whole) if dims else whole
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


def _in_campaign(campaign_id: uuid.UUID) -> ColumnElement[bool]:
    visits = select(InspectionVisit.id).where(InspectionVisit.campaign_id == campaign_id)
    return Hazard.visit_id.in_(visits)


_CLOSED_ON = cast(func.timezone("Asia/Shanghai", Hazard.closed_at), Date)
_FOUND_ON = cast(func.timezone("Asia/Shanghai", Hazard.found_at), Date)


async def campaign_measures(
    session: AsyncSession, dims: Sequence[str], scope: Scope, campaign_id: uuid.UUID, today: date
) -> list[dict[str, Any]]:
    """The same measures counted straight from the hazards raised by a campaign's visits (a
    campaign is a small set: the visit index finds them); overdue is exact for ``today``."""
    h = _HazardColumns
    cols = [_dimension(h, d, scope.region_length) for d in dims]
    is_open = Hazard.status.notin_(("closed", "cancelled"))
    with_deadline = Hazard.deadline.is_not(None)
    sums = [func.count().filter(Hazard.status == s).label(f"n_{s}") for s in STATUS_COLUMNS]
    sums += [
        func.count().filter(Hazard.status == "closed", with_deadline).label("closed_with_deadline"),
        func.count()
        .filter(Hazard.status == "closed", with_deadline, Hazard.deadline >= _CLOSED_ON)
        .label("closed_on_time"),
        func.count().filter(Hazard.level == "major", is_open).label("major_open"),
        func.count()
        .filter(Hazard.level == "major", Hazard.status == "closed")
        .label("major_closed"),
        func.count().filter(is_open, Hazard.deadline < today).label("overdue"),
    ]
    stmt = _where(select(*cols, *sums), h, scope).where(
        Hazard.deleted_at.is_(None), _in_campaign(campaign_id)
    )
    return [dict(r) for r in (await session.execute(stmt.group_by(*cols))).mappings()]


def campaign_close_days(dims: Sequence[str], scope: Scope, campaign_id: uuid.UUID) -> Select[Any]:
    h = _HazardColumns
    cols = [_dimension(h, d, scope.region_length) for d in dims]
    days = (_CLOSED_ON - _FOUND_ON).label("days")
    stmt = _where(select(*cols, days, func.count().label("n")), h, scope).where(
        Hazard.deleted_at.is_(None),
        Hazard.status == "closed",
        Hazard.closed_at.is_not(None),
        _in_campaign(campaign_id),
    )
    return stmt.group_by(*cols, days)


def yearly_histogram_fits(table: Any, dims: Sequence[str], scope: Scope) -> bool:
    """Whole years of the region cuboid, not by month: the per-year histogram answers."""
    return (
        table is HazardRollupRegion
        and "month" not in dims
        and (scope.month_from is None or scope.month_from.month == 1)
        and (scope.month_to is None or scope.month_to.month == 12)
    )


def close_days_yearly(dims: Sequence[str], scope: Scope) -> Select[Any]:
    t = HazardCloseDaysRegionYear
    cols = [_dimension(t, d, scope.region_length) for d in dims]
    whole_years = replace(scope, month_from=None, month_to=None)
    stmt = _where(select(*cols, t.days, func.sum(t.n).label("n")), t, whole_years)
    if scope.month_from:
        stmt = stmt.where(t.found_year >= scope.month_from.year)
    if scope.month_to:
        stmt = stmt.where(t.found_year <= scope.month_to.year)
    return stmt.group_by(*cols, t.days).having(func.sum(t.n) > 0)


async def overdue_clock(session: AsyncSession) -> date:
    stmt = select(HazardOverdueClock.as_of).where(HazardOverdueClock.id == 1)
    as_of: date = (await session.execute(stmt)).scalar_one()
    return as_of


async def overdue_correction(
    session: AsyncSession, dims: Sequence[str], scope: Scope, low: date, high: date
) -> list[dict[str, Any]]:
    """Open hazards with ``low <= deadline < high``, counted from the hazard table (the days
    the overdue clock has not been moved over yet; normally none)."""
    h = _HazardColumns
    cols = [_dimension(h, d, scope.region_length) for d in dims]
    stmt = _where(select(*cols, func.count().label("n")), h, scope).where(
        Hazard.status.notin_(("closed", "cancelled")),
        Hazard.deleted_at.is_(None),
        Hazard.deadline >= low,
        Hazard.deadline < high,
    )
    return [dict(r) for r in (await session.execute(stmt.group_by(*cols))).mappings()]


async def roll_overdue_clock(session: AsyncSession, target: date) -> int:
    """Move the overdue counters to ``target`` (days moved; 0 when already there)."""
    stmt = select(func.anjian_hazard_roll_overdue(target))
    moved: int = (await session.execute(stmt)).scalar_one()
    return moved


async def fold_rollups(session: AsyncSession) -> int:
    """Move the pending rollup deltas into the folded tables (one folder at a time; the figures
    are the same before and after). Returns the delta rows folded."""
    folded: int = (await session.execute(select(func.anjian_hazard_rollup_fold()))).scalar_one()
    return folded


async def region_names(session: AsyncSession, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = await session.execute(select(Region.code, Region.name).where(Region.code.in_(codes)))
    return {code: name for code, name in rows.all()}


async def department_names(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    stmt = select(Department.id, Department.name).where(Department.id.in_(ids))
    return {i: name for i, name in (await session.execute(stmt)).all()}
