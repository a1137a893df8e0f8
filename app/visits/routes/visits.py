"""Inspection visits over HTTP: planning, lifecycle actions, coverage and calendar."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.auth.dependencies import PrincipalDep, SessionDep, SettingsDep
from app.core.http import IfMatchDep, with_etag
from app.core.problems import problems, replayed
from app.visits.schemas import (
    Calendar,
    CalendarFilter,
    Cancel,
    CheckIn,
    Complete,
    CoverageFilter,
    CoveragePage,
    VisitCreate,
    VisitFilter,
    VisitPage,
    VisitRead,
    VisitUpdate,
)
from app.visits.service import common, reports
from app.visits.service import visits as service

router = APIRouter(prefix="/inspection-visits", tags=["inspection-visits"])


@router.get("", response_model=VisitPage, responses=problems(403, 410))
async def list_inspection_visits(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[VisitFilter, Query()],
) -> VisitPage:
    """Visits in scope (and those the caller is on); `changed_since` syncs."""
    items, next_cursor, removed = await service.list_visits(session, settings, principal, query)
    return VisitPage(items=items, next_cursor=next_cursor, removed=removed)


@router.post(
    "",
    response_model=VisitRead,
    status_code=status.HTTP_201_CREATED,
    responses={**problems(403, 404, 409), **replayed(VisitRead)},
)
async def create_inspection_visit(
    data: VisitCreate, response: Response, session: SessionDep, principal: PrincipalDep
) -> VisitRead:
    """Plan a visit. Enterprise users plan only self-inspections of their own unit."""
    visit, created = await service.create_visit(session, principal, data)
    if not created:
        response.status_code = status.HTTP_200_OK
    with_etag(response, visit.version, f"/api/v1/inspection-visits/{visit.id}")
    return visit


@router.get("/coverage", response_model=CoveragePage, responses=problems(403))
async def get_inspection_coverage(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[CoverageFilter, Query()],
) -> CoveragePage:
    """Units in scope with no inspection started in the period (`from`–`to`), red first."""
    items, next_cursor = await reports.coverage(session, settings, principal, query)
    return CoveragePage(items=items, next_cursor=next_cursor)


@router.get("/calendar", response_model=Calendar, responses=problems(403))
async def get_inspection_calendar(
    session: SessionDep, principal: PrincipalDep, query: Annotated[CalendarFilter, Query()]
) -> Calendar:
    """Visits by planned date for a unit (`unit`) or a person on them (`inspector`)."""
    return await reports.calendar(session, principal, query)


@router.get("/{visit_id}", response_model=VisitRead, responses=problems(403, 404))
async def get_inspection_visit(
    visit_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep
) -> VisitRead:
    visit = await common.get_visit(session, principal, visit_id)
    with_etag(response, visit.version)
    return visit


@router.patch("/{visit_id}", response_model=VisitRead, responses=problems(403, 404, 409, 412))
async def update_inspection_visit(
    visit_id: uuid.UUID,
    data: VisitUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> VisitRead:
    """Change a planned visit (date, purpose, members, checklist…)."""
    visit = await service.update_visit(session, principal, visit_id, data, if_match)
    with_etag(response, visit.version)
    return visit


@router.post("/{visit_id}/start", response_model=VisitRead, responses=problems(403, 404, 409, 412))
async def start_inspection_visit(
    visit_id: uuid.UUID,
    data: CheckIn,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> VisitRead:
    """Check in (planned → in_progress): within the allowed radius of the unit, or a reason."""
    visit = await service.start_visit(session, settings, principal, visit_id, data, if_match)
    with_etag(response, visit.version)
    return visit


@router.post(
    "/{visit_id}/complete", response_model=VisitRead, responses=problems(403, 404, 409, 412)
)
async def complete_inspection_visit(
    visit_id: uuid.UUID,
    data: Complete,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> VisitRead:
    """Check out with summary and conclusion; departmental visits get a draft on-site record."""
    visit = await service.complete_visit(session, principal, visit_id, data, if_match)
    with_etag(response, visit.version)
    return visit


@router.post("/{visit_id}/cancel", response_model=VisitRead, responses=problems(403, 404, 409, 412))
async def cancel_inspection_visit(
    visit_id: uuid.UUID,
    data: Cancel,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> VisitRead:
    visit = await service.cancel_visit(session, principal, visit_id, data, if_match)
    with_etag(response, visit.version)
    return visit
