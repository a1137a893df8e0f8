"""The hazard register over HTTP: report, read, list, search, nearby, edit, timeline.

Lifecycle actions live in ``actions_router.py`` (included below)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import StreamingResponse

from app.auth.dependencies import PrincipalDep, ReadSessionDep, SessionDep, SettingsDep
from app.core.export_http import EXPORT_RESPONSES
from app.core.http import IfMatchDep, with_etag
from app.core.problems import problems, replayed
from app.hazards import service
from app.hazards.actions_router import add_actions
from app.hazards.schemas import (
    HazardCreate,
    HazardDeadlineList,
    HazardEventFilter,
    HazardEventPage,
    HazardFilter,
    HazardNearbyList,
    HazardPage,
    HazardRead,
    HazardUpdate,
    NearbyFilter,
)
from app.statistics import exporting

router = APIRouter(prefix="/hazards", tags=["hazards"])


@router.get("", response_model=HazardPage, responses=problems(403, 410))
async def list_hazards(
    session: ReadSessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[HazardFilter, Query()],
) -> HazardPage:
    """Hazards in scope, keyset-paged (default `-found_at`). `overdue` is computed from today's
    date in China; `q` searches title and description (Chinese substrings); `changed_since`
    syncs (tombstones included)."""
    page = await service.list_hazards(session, settings, principal, query)
    service.audit_contacts_shown(session, principal, page.items)
    return page


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={**EXPORT_RESPONSES, **problems(403)},
)
async def export_hazards(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[exporting.HazardExportFilter, Query()],
) -> StreamingResponse:
    """Every hazard the list would show, as CSV or XLSX (`format=` or `Accept`), streamed in
    constant memory; column headers in the `Accept-Language` language."""
    return await exporting.export_hazards(request, session, settings, principal, query)


@router.get("/nearby", response_model=HazardNearbyList, responses=problems(403))
async def list_nearby_hazards(
    session: ReadSessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[NearbyFilter, Query()],
) -> HazardNearbyList:
    """Hazards in scope within `radius_m` metres of a point, nearest first (field inspectors,
    duplicate avoidance)."""
    items = await service.nearby_hazards(session, settings, principal, query)
    service.audit_contacts_shown(session, principal, items)
    return HazardNearbyList(items=items)


@router.post(
    "",
    response_model=HazardRead,
    status_code=status.HTTP_201_CREATED,
    responses={**problems(403, 404, 409), **replayed(HazardRead)},
)
async def create_hazard(
    data: HazardCreate, response: Response, session: SessionDep, principal: PrincipalDep
) -> HazardRead:
    """Report a hazard (step 1, status `reported`); it gets a gapless code per county and year.
    A repeat with the same client `id` and body returns the same hazard (200)."""
    hazard, created = await service.create_or_replay(session, principal, data)
    if not created:
        response.status_code = status.HTTP_200_OK
    with_etag(response, hazard.version, f"/api/v1/hazards/{hazard.id}")
    return hazard


@router.get("/{hazard_id}", response_model=HazardRead, responses=problems(404))
async def get_hazard(
    hazard_id: uuid.UUID, response: Response, session: ReadSessionDep, principal: PrincipalDep
) -> HazardRead:
    hazard = await service.get_hazard(session, principal, hazard_id)
    service.audit_contacts_shown(session, principal, [hazard])
    with_etag(response, hazard.version)
    return hazard


@router.patch("/{hazard_id}", response_model=HazardRead, responses=problems(403, 404, 409, 412))
async def update_hazard(
    hazard_id: uuid.UUID,
    data: HazardUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> HazardRead:
    """Descriptive fields (JSON merge); the plan draft while `planning`. Never the status."""
    hazard = await service.update_hazard(session, principal, hazard_id, data, if_match)
    with_etag(response, hazard.version)
    return hazard


@router.get("/{hazard_id}/events", response_model=HazardEventPage, responses=problems(404))
async def list_hazard_events(
    hazard_id: uuid.UUID,
    session: ReadSessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[HazardEventFilter, Query()],
) -> HazardEventPage:
    """The immutable timeline: every step with actor, role, unit, time, comment, documents,
    location and attachments, oldest first."""
    items, next_cursor = await service.list_events(session, settings, principal, hazard_id, query)
    return HazardEventPage(items=items, next_cursor=next_cursor)


@router.get("/{hazard_id}/deadlines", response_model=HazardDeadlineList, responses=problems(404))
async def list_hazard_deadlines(
    hazard_id: uuid.UUID, session: ReadSessionDep, principal: PrincipalDep
) -> HazardDeadlineList:
    """Every deadline the hazard had (order, plan, approved extensions), oldest first."""
    return await service.list_deadlines(session, principal, hazard_id)


add_actions(router)
