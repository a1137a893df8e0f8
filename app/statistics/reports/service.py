"""Enterprise statistics reports: generated from the unit's hazards for a quarter or a year,
signed off by its main responsible person through an action; due on the 15th day after the
quarter (quarterly) or on 31 January (annual); supervisors list the units that are late."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import diff, record_audit
from app.auth.principal import Principal
from app.auth.scope import require
from app.config import Settings
from app.core.clock import today_china, utcnow
from app.core.concurrency import check_version
from app.core.cursors import decode_cursor, encode_cursor
from app.core.errors import Conflict, NotFound, Unprocessable
from app.core.ids import new_id
from app.core.plain import plain
from app.events.outbox import emit_event
from app.models.statistics import EnterpriseStatisticsReport
from app.statistics.reports import repository
from app.statistics.reports.schemas import (
    OverdueReport,
    ReportCreate,
    ReportRead,
    ReportSign,
    ReportStatus,
)

RESOURCE = "statistics_report"


def period_bounds(period: str) -> tuple[date, date, date]:
    """(start, exclusive end, due date) of ``2026-Q3`` or ``2026``."""
    year = int(period[:4])
    if len(period) == 4:
        return date(year, 1, 1), date(year + 1, 1, 1), date(year + 1, 1, 31)
    quarter = int(period[-1])
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end, end.replace(day=15)


def _not_found() -> NotFound:
    return NotFound(
        "Statistics report not found", "统计分析表不存在", code="statistics_report_not_found"
    )


def _read(r: EnterpriseStatisticsReport) -> ReportRead:
    return ReportRead.model_validate(r, from_attributes=True)


def _emit(session: AsyncSession, event_type: str, r: EnterpriseStatisticsReport) -> None:
    emit_event(
        session,
        event_type,
        resource_type=RESOURCE,
        resource_id=r.id,
        data={"version": r.version, "status": r.status, "period": r.period},
        region_code=r.region_code,
        enterprise_id=r.enterprise_id,
    )


async def generate_report(
    session: AsyncSession, principal: Principal, data: ReportCreate
) -> tuple[ReportRead, bool]:
    """Generate (or regenerate while unsigned) the report of a period that has ended."""
    require(principal, "statistics_report:write")
    ent = await repository.enterprise(session, principal, data.enterprise_id)
    if ent is None:
        raise NotFound("Enterprise not found", "生产经营单位不存在", code="enterprise_not_found")
    start, end, due = period_bounds(data.period)
    today = today_china()
    if end > today:
        raise Unprocessable.field(
            ["body", "period"],
            "The period has not ended yet",
            "period_not_ended",
            "统计期尚未结束",
            code="period_not_ended",
        )
    counts = await repository.hazard_figures(session, data.enterprise_id, start, end, today)
    found = int(counts["found"])
    figures: dict[str, Any] = plain(
        {
            **{k: int(v) for k, v in counts.items() if k != "funds"},
            "funds": counts["funds"],
            "rectification_rate": round(int(counts["closed"]) / found, 4) if found else None,
        }
    )
    existing = await repository.find(session, data.enterprise_id, data.period)
    if existing is not None:
        if existing.status == ReportStatus.signed:
            raise Conflict(
                "A signed report cannot be regenerated",
                "已签字的统计分析表不能重新生成",
                code="statistics_report_signed",
            )
        before = dict(existing.figures)
        existing.figures, existing.generated_by = figures, principal.subject
        await session.flush()
        await session.refresh(existing)
        record_audit(
            session,
            principal,
            action="regenerate",
            resource_type=RESOURCE,
            resource_id=existing.id,
            changes=diff({"figures": before}, {"figures": figures}),
            region_code=existing.region_code,
        )
        _emit(session, "statistics_report.regenerated", existing)
        return _read(existing), False
    report = EnterpriseStatisticsReport(
        id=new_id(),
        enterprise_id=data.enterprise_id,
        region_code=ent["region_code"],
        period=data.period,
        period_start=start,
        period_end=end,
        due_on=due,
        figures=figures,
        status=ReportStatus.generated.value,
        generated_by=principal.subject,
    )
    session.add(report)
    await session.flush()
    await session.refresh(report)
    record_audit(
        session,
        principal,
        action="create",
        resource_type=RESOURCE,
        resource_id=report.id,
        changes=diff(None, {"period": data.period, "figures": figures}),
        region_code=report.region_code,
    )
    _emit(session, "statistics_report.generated", report)
    return _read(report), True


async def get_report(
    session: AsyncSession, principal: Principal, report_id: uuid.UUID
) -> ReportRead:
    require(principal, "enterprise:read")
    report = await repository.get(session, principal, report_id)
    if report is None:
        raise _not_found()
    return _read(report)


async def sign_report(
    session: AsyncSession,
    principal: Principal,
    report_id: uuid.UUID,
    data: ReportSign,
    expected_version: int | None,
) -> ReportRead:
    """The main responsible person signs off (主要负责人签字)."""
    require(principal, "statistics_report:sign")
    report = await repository.get(session, principal, report_id, for_update=True)
    if report is None:
        raise _not_found()
    check_version(expected_version, report.version)
    if report.status == ReportStatus.signed:
        raise Conflict(
            "The report is already signed", "统计分析表已签字", code="statistics_report_signed"
        )
    report.status, report.signed_at = ReportStatus.signed.value, utcnow()
    report.signed_by, report.signer_name = principal.subject, data.signer_name
    await session.flush()
    await session.refresh(report)
    record_audit(
        session,
        principal,
        action="sign",
        resource_type=RESOURCE,
        resource_id=report.id,
        changes={
            "status": {"old": "generated", "new": "signed"},
            "signer_name": {"old": None, "new": data.signer_name},
        },
        region_code=report.region_code,
    )
    _emit(session, "statistics_report.signed", report)
    return _read(report)


async def list_overdue_reports(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    *,
    period: str,
    region: str | None,
    cursor: str | None,
    limit: int | None,
) -> tuple[list[OverdueReport], str | None]:
    """Units in scope whose report for ``period`` is missing or unsigned after the due date."""
    require(principal, "statistics:read")
    _, _, due = period_bounds(period)
    if today_china() <= due:
        return [], None
    kind = f"overdue_reports:{period}:{region or ''}"
    after = uuid.UUID(decode_cursor(settings.cursor_secret, kind, cursor)["a"]) if cursor else None
    size = min(limit or settings.page_limit_default, settings.page_limit_max)
    rows = await repository.overdue(
        session, principal, period=period, region=region, after=after, limit=size + 1
    )
    items = [OverdueReport(period=period, due_on=due, **r) for r in rows[:size]]
    next_cursor = (
        encode_cursor(settings.cursor_secret, kind, {"a": str(rows[size - 1]["enterprise_id"])})
        if len(rows) > size
        else None
    )
    return items, next_cursor
