"""Enterprise statistics reports over HTTP."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.auth.dependencies import PrincipalDep, SessionDep, SettingsDep
from app.core.http import IfMatchDep, with_etag
from app.core.problems import problems, replayed
from app.statistics.reports import service
from app.statistics.reports.schemas import (
    OverdueFilter,
    OverdueReportPage,
    ReportCreate,
    ReportRead,
    ReportSign,
)

router = APIRouter(prefix="/enterprise-statistics-reports", tags=["enterprise-statistics-reports"])


@router.get("/overdue", response_model=OverdueReportPage, responses=problems(403))
async def list_overdue_statistics_reports(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[OverdueFilter, Query()],
) -> OverdueReportPage:
    """Operating units in your scope whose report for `period` is missing or unsigned after
    its due date (逾期未报)."""
    items, next_cursor = await service.list_overdue_reports(
        session,
        settings,
        principal,
        period=query.period,
        region=query.region,
        cursor=query.cursor,
        limit=query.limit,
    )
    return OverdueReportPage(items=items, next_cursor=next_cursor)


@router.post(
    "",
    response_model=ReportRead,
    status_code=status.HTTP_201_CREATED,
    responses={**problems(403, 404, 409), **replayed(ReportRead)},
)
async def generate_statistics_report(
    data: ReportCreate, response: Response, session: SessionDep, principal: PrincipalDep
) -> ReportRead:
    """Generate the unit's report for an ended quarter (`2026-Q3`) or year (`2026`) from its
    hazards; again while unsigned regenerates it (200)."""
    report, created = await service.generate_report(session, principal, data)
    if not created:
        response.status_code = status.HTTP_200_OK
    with_etag(response, report.version, f"/api/v1/enterprise-statistics-reports/{report.id}")
    return report


@router.get("/{report_id}", response_model=ReportRead, responses=problems(403, 404))
async def get_statistics_report(
    report_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep
) -> ReportRead:
    report = await service.get_report(session, principal, report_id)
    with_etag(response, report.version)
    return report


@router.post("/{report_id}/sign", response_model=ReportRead, responses=problems(403, 404, 409, 412))
async def sign_statistics_report(
    report_id: uuid.UUID,
    data: ReportSign,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> ReportRead:
    """Sign-off by the unit's main responsible person (主要负责人签字)."""
    report = await service.sign_report(session, principal, report_id, data, if_match)
    with_etag(response, report.version)
    return report
