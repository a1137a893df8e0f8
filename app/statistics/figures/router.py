"""Statistics over HTTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from app.auth.dependencies import PrincipalDep, ReadSessionDep, SessionDep, SettingsDep
from app.core.export import wants_export
from app.core.export_http import EXPORT_RESPONSES, table_response
from app.core.problems import problems
from app.statistics.duties import service as duty_service
from app.statistics.duties.schemas import ResponsibilityStatistics, ResponsibilityStatisticsFilter
from app.statistics.figures import service
from app.statistics.figures.presentation import DUTY_COLUMNS, INSPECTION_COLUMNS, hazard_columns
from app.statistics.figures.schemas import HazardStatistics, HazardStatisticsFilter
from app.statistics.inspections import service as inspection_service
from app.statistics.inspections.schemas import InspectionStatistics, InspectionStatisticsFilter

router = APIRouter(prefix="/statistics", tags=["statistics"])


@router.get(
    "/hazards",
    response_model=HazardStatistics,
    responses={**EXPORT_RESPONSES, **problems(403, 404)},
)
async def get_hazard_statistics(
    request: Request,
    session: ReadSessionDep,  # reads only: no BEGIN/COMMIT round trips
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[HazardStatisticsFilter, Query()],
) -> HazardStatistics | StreamingResponse:
    """Hazard figures (隐患统计) in your scope, grouped by up to two dimensions; `format=csv|xlsx`
    (or `Accept`) gives the groups as a table. Exact: read from rollups that every hazard
    change updates in its own transaction."""
    figures = await service.hazard_statistics(session, principal, query)
    if query.format or _wants_table(request):
        rows = [g.model_dump() for g in figures.groups] or [
            {**figures.totals.model_dump(), "key": {}, "label": {}}
        ]
        return table_response(
            request,
            settings,
            format_param=query.format,
            columns=hazard_columns(query.group_by),
            rows=rows,
            name="hazard-statistics",
            name_zh="隐患统计",
        )
    return figures


@router.get(
    "/inspections",
    response_model=InspectionStatistics,
    responses={**EXPORT_RESPONSES, **problems(403, 404)},
)
async def get_inspection_statistics(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[InspectionStatisticsFilter, Query()],
) -> InspectionStatistics | StreamingResponse:
    """Completed inspection visits (检查统计) in your scope: by type, lead department, month or
    region; share of units visited, hazards per visit, leader-led visits."""
    figures = await inspection_service.inspection_statistics(session, principal, query)
    if query.format or _wants_table(request):
        rows = [g.model_dump() for g in figures.groups] or [
            {**figures.totals.model_dump(), "key": None, "label": None}
        ]
        return table_response(
            request,
            settings,
            format_param=query.format,
            columns=INSPECTION_COLUMNS,
            rows=rows,
            name="inspection-statistics",
            name_zh="检查统计",
        )
    return figures


@router.get(
    "/responsibility",
    response_model=ResponsibilityStatistics,
    responses={**EXPORT_RESPONSES, **problems(403, 404)},
)
async def get_responsibility_statistics(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[ResponsibilityStatisticsFilter, Query()],
) -> ResponsibilityStatistics | StreamingResponse:
    """Required visits (包保 leaders, major-hazard-source roles…) done versus due in the period,
    by assignment kind or region."""
    figures = await duty_service.responsibility_statistics(session, principal, query)
    if query.format or _wants_table(request):
        rows = [g.model_dump() for g in figures.groups] or [
            {**figures.totals.model_dump(), "key": None, "label": None}
        ]
        return table_response(
            request,
            settings,
            format_param=query.format,
            columns=DUTY_COLUMNS,
            rows=rows,
            name="responsibility-statistics",
            name_zh="责任落实统计",
        )
    return figures


def _wants_table(request: Request) -> bool:
    return wants_export(request.headers.get("accept")) is not None
