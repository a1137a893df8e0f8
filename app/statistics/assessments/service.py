"""Annual assessments: indicator definitions are data (per year); scores come from the hazard
figures of the year (the same rollups as the statistics) and from values entered by hand;
finalising freezes the ranking into a snapshot that later data changes never alter."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import diff, record_audit
from app.auth.principal import Principal
from app.auth.scope import require
from app.core.clock import utcnow
from app.core.concurrency import check_version
from app.core.errors import Conflict, NotFound
from app.core.ids import new_id
from app.core.plain import plain
from app.core.problems import register_constraint
from app.events.outbox import emit_event
from app.models.statistics import Assessment
from app.reference.service import ensure_region
from app.statistics.assessments import repository
from app.statistics.assessments.schemas import (
    AssessmentCreate,
    AssessmentRead,
    AssessmentStatus,
    AssessmentSummary,
    AssessmentUnitKind,
    AssessmentUpdate,
    Indicator,
    UnitResult,
)
from app.statistics.figures.schemas import HazardDimension, HazardStatisticsFilter
from app.statistics.figures.service import hazard_statistics

RESOURCE = "assessment"
_TAKEN = (
    "An assessment of these units for this year and county exists",
    "该县区该年度的此类考核已存在",
)
register_constraint("uq_assessment_year_unit_kind_region_code", 409, "assessment_exists", *_TAKEN)


def _not_found() -> NotFound:
    return NotFound("Assessment not found", "考核不存在", code="assessment_not_found")


def _final() -> Conflict:
    return Conflict(
        "A final assessment cannot change", "考核已定稿，不能修改", code="assessment_final"
    )


def score(indicator: Indicator, value: float | None) -> float | None:
    """Points of one indicator, or None when it is not rated (an empty denominator)."""
    if indicator.veto:
        return 0.0
    if value is None:  # a computed figure with nothing to rate: not rated; a missing input: 0
        return 0.0 if indicator.metric == "manual" else None
    target = indicator.target or 1.0
    fraction = min(value / target, 1.0) if indicator.better == "higher" else 1.0 - value / target
    return round(indicator.weight * max(fraction, 0.0), 4)


_FORMULAS = {
    "rectification_rate": "closed ÷ found (整改率)",
    "on_time_rate": "closed on time ÷ closed with a deadline (按期整改率)",
    "overdue": "open hazards past their deadline (逾期未整改数)",
    "major_open": "major hazards not closed (重大隐患未销号数)",
    "major_cleared_rate": "major closed ÷ major found (重大隐患清零率)",
    "manual": "entered value (人工录入)",
}


def _formula(ind: Indicator) -> str:
    how = "min(value ÷ target, 1)" if ind.better == "higher" else "max(1 − value ÷ target, 0)"
    target = ind.target or 1.0
    return f"{_FORMULAS[ind.metric.value]}; points = weight × {how}, target {target:g}"


async def _measured(
    session: AsyncSession, principal: Principal, a: Assessment
) -> dict[str, dict[str, float | None]]:
    dimension = HazardDimension.region if a.unit_kind == "town" else HazardDimension.department
    figures = await hazard_statistics(
        session,
        principal,
        HazardStatisticsFilter(
            group_by=[dimension],
            region=a.region_code,
            period_from=f"{a.year}-01",
            period_to=f"{a.year}-12",
        ),
    )
    out: dict[str, dict[str, float | None]] = {}
    for g in figures.groups:
        unit = g.key[dimension.value]
        if unit is None:
            continue
        majors = (g.major_cleared or 0) + (g.major_open or 0)
        out[unit] = {
            "rectification_rate": g.rectification_rate,
            "on_time_rate": g.on_time_rate,
            "overdue": g.overdue,
            "major_open": g.major_open,
            "major_cleared_rate": (g.major_cleared or 0) / majors if majors else None,
            # the inputs shown with each score
            "found": g.found,
            "closed": g.closed,
            "major_found": majors,
            "major_cleared": g.major_cleared or 0,
        }
    return out


_FRACTIONS = {
    "rectification_rate": ("closed", "found"),
    "major_cleared_rate": ("major_cleared", "major_found"),
}


def _unit_result(
    indicators: list[Indicator], figures: dict[str, float | None], inputs: dict[str, Any]
) -> dict[str, Any]:
    """Values, points and their inputs for one unit. A computed indicator is not rated when its
    denominator is empty — for every computed one, when the unit found nothing in the year — and
    the rated indicators' points are scaled to the full weight (re-weighted); a unit with no
    rated indicator is not rated (total null, ranked after the rated ones)."""
    found = figures.get("found") or 0
    values: dict[str, float | None] = {}
    scores: dict[str, float | None] = {}
    details: dict[str, dict[str, Any]] = {}
    for ind in indicators:
        if ind.metric == "manual" or ind.veto:
            value = inputs.get(ind.code)
        elif not found:
            value = None
        else:
            value = figures.get(ind.metric.value)
            if value is None and ind.metric.value in ("overdue", "major_open"):
                value = 0
        values[ind.code], scores[ind.code] = value, score(ind, value)
        numerator, denominator = _FRACTIONS.get(ind.metric.value, (None, None))
        details[ind.code] = {
            "metric": ind.metric.value,
            "value": value,
            "numerator": figures.get(numerator) if numerator else None,
            "denominator": figures.get(denominator) if denominator else None,
            "target": ind.target,
            "weight": ind.weight,
            "rated": scores[ind.code] is not None,
            "formula": _formula(ind),
        }
    weighted = [i for i in indicators if not i.veto]
    full = sum(i.weight for i in weighted)
    rated = sum(i.weight for i in weighted if scores[i.code] is not None)
    vetoed = any(ind.veto and values[ind.code] for ind in indicators)
    for i in weighted:
        details[i.code]["effective_weight"] = (
            round(i.weight * full / rated, 4) if rated and scores[i.code] is not None else 0.0
        )
    points = sum(v for v in scores.values() if v is not None)
    total = None if not rated else round(points * full / rated, 4)
    return {
        "values": values,
        "scores": scores,
        "details": details,
        "found": found,
        "total": 0.0 if vetoed else total,
        "vetoed": vetoed,
    }


async def compute(session: AsyncSession, principal: Principal, a: Assessment) -> list[UnitResult]:
    indicators = [Indicator.model_validate(i) for i in a.indicators]
    names = await (
        repository.towns(session, a.region_code)
        if a.unit_kind == "town"
        else repository.departments(session, a.region_code)
    )
    measured = await _measured(session, principal, a)
    rows: list[dict[str, Any]] = []
    for unit in sorted(set(names) | set(measured)):
        result = _unit_result(indicators, measured.get(unit, {}), a.inputs.get(unit, {}))
        rows.append({"unit": unit, "name": names.get(unit), **result})
    rated = sorted(
        (r for r in rows if r["total"] is not None), key=lambda r: (-r["total"], r["unit"])
    )
    results: list[UnitResult] = []
    for position, row in enumerate(rated, start=1):
        tied = results and results[-1].total == row["total"]
        results.append(UnitResult(**row, rank=results[-1].rank if tied else position))
    results.extend(UnitResult(**r, rank=None) for r in rows if r["total"] is None)
    return results


async def _read(session: AsyncSession, principal: Principal, a: Assessment) -> AssessmentRead:
    if a.status == AssessmentStatus.final and a.snapshot is not None:
        results = [UnitResult.model_validate(r) for r in a.snapshot["results"]]
        computed_at = a.snapshot["computed_at"]
    else:
        results, computed_at = await compute(session, principal, a), utcnow()
    return AssessmentRead.model_validate(
        {
            "id": a.id,
            "year": a.year,
            "unit_kind": a.unit_kind,
            "region_code": a.region_code,
            "title": a.title,
            "indicators": a.indicators,
            "inputs": a.inputs,
            "status": a.status,
            "computed_at": computed_at,
            "results": results,
            "finalized_at": a.finalized_at,
            "finalized_by": a.finalized_by,
            "version": a.version,
            "created_at": a.created_at,
            "updated_at": a.updated_at,
        }
    )


def _emit(session: AsyncSession, event_type: str, a: Assessment) -> None:
    emit_event(
        session,
        event_type,
        resource_type=RESOURCE,
        resource_id=a.id,
        data={"version": a.version, "status": a.status, "year": a.year},
        region_code=a.region_code,
    )


async def create_assessment(
    session: AsyncSession, principal: Principal, data: AssessmentCreate
) -> AssessmentRead:
    require(principal, "assessment:write")
    if principal.region_code and not data.region_code.startswith(principal.region_code):
        raise NotFound(
            "Region not found in your scope", "该区划不在您的管辖范围内", code="out_of_scope"
        )
    await ensure_region(session, data.region_code, ["body", "region_code"])
    if await repository.find(session, data.year, data.unit_kind.value, data.region_code):
        raise Conflict(*_TAKEN, code="assessment_exists")
    payload = data.model_dump(mode="json")
    a = Assessment(
        id=new_id(),
        inputs={},
        status=AssessmentStatus.draft.value,
        created_by=principal.subject,
        **payload,
    )
    session.add(a)
    await session.flush()
    record_audit(
        session,
        principal,
        action="create",
        resource_type=RESOURCE,
        resource_id=a.id,
        changes=diff(None, payload),
        region_code=a.region_code,
    )
    _emit(session, "assessment.created", a)
    return await _read(session, principal, a)


async def get_assessment(
    session: AsyncSession, principal: Principal, assessment_id: uuid.UUID
) -> AssessmentRead:
    require(principal, "statistics:read")
    a = await repository.get(session, principal, assessment_id)
    if a is None:
        raise _not_found()
    return await _read(session, principal, a)


async def list_assessments(
    session: AsyncSession,
    principal: Principal,
    *,
    year: int | None,
    unit_kind: AssessmentUnitKind | None,
    region: str | None,
) -> list[AssessmentSummary]:
    require(principal, "statistics:read")
    rows = await repository.listed(
        session,
        principal,
        year=year,
        unit_kind=unit_kind.value if unit_kind else None,
        region=region,
    )
    return [AssessmentSummary.model_validate(r) for r in rows]


async def _locked(
    session: AsyncSession,
    principal: Principal,
    assessment_id: uuid.UUID,
    expected_version: int | None,
) -> Assessment:
    require(principal, "assessment:write")
    a = await repository.get_for_update(session, principal, assessment_id)
    if a is None:
        raise _not_found()
    check_version(expected_version, a.version)
    if a.status == AssessmentStatus.final:
        raise _final()
    return a


async def update_assessment(
    session: AsyncSession,
    principal: Principal,
    assessment_id: uuid.UUID,
    data: AssessmentUpdate,
    expected_version: int | None,
) -> AssessmentRead:
    a = await _locked(session, principal, assessment_id, expected_version)
    before = {"title": a.title, "indicators": a.indicators, "inputs": a.inputs}
    changes = data.model_dump(exclude_unset=True, mode="json")
    if "title" in changes and changes["title"] is not None:
        a.title = changes["title"]
    if changes.get("indicators") is not None:
        a.indicators = changes["indicators"]
    if changes.get("inputs") is not None:
        merged = {unit: dict(values) for unit, values in a.inputs.items()}
        for unit, values in changes["inputs"].items():
            merged.setdefault(unit, {}).update(values)
        a.inputs = merged
    after = {"title": a.title, "indicators": a.indicators, "inputs": a.inputs}
    delta = diff(before, after)
    if delta:
        await session.flush()
        await session.refresh(a)
        record_audit(
            session,
            principal,
            action="update",
            resource_type=RESOURCE,
            resource_id=a.id,
            changes=delta,
            region_code=a.region_code,
        )
        _emit(session, "assessment.updated", a)
    return await _read(session, principal, a)


async def finalize_assessment(
    session: AsyncSession,
    principal: Principal,
    assessment_id: uuid.UUID,
    expected_version: int | None,
) -> AssessmentRead:
    """Freeze the ranking (年终快照): stored results are what every later read returns."""
    a = await _locked(session, principal, assessment_id, expected_version)
    now = utcnow()
    results = await compute(session, principal, a)
    a.snapshot = plain({"computed_at": now, "results": [r.model_dump() for r in results]})
    a.status, a.finalized_at, a.finalized_by = AssessmentStatus.final.value, now, principal.subject
    await session.flush()
    await session.refresh(a)
    record_audit(
        session,
        principal,
        action="finalize",
        resource_type=RESOURCE,
        resource_id=a.id,
        changes={"status": {"old": "draft", "new": "final"}},
        region_code=a.region_code,
    )
    _emit(session, "assessment.finalized", a)
    return await _read(session, principal, a)
