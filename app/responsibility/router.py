"""Responsibility (责任落实) over HTTP: assignments, chains at a moment, gaps, snapshots."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.auth.dependencies import PrincipalDep, SessionDep, SettingsDep
from app.core.http import IfMatchDep, with_etag
from app.core.problems import problems, replayed
from app.responsibility import chain, gaps, person, service, sources, transitions
from app.responsibility.confirmation_router import confirmation_router
from app.responsibility.schemas import (
    AtQuery,
    EnterpriseResponsibility,
    HazardResponsibility,
    MajorHazardSourceCreate,
    MajorHazardSourceFilter,
    MajorHazardSourcePage,
    MajorHazardSourceRead,
    PersonResponsibilities,
    ResponsibilityAssignmentCreate,
    ResponsibilityAssignmentFilter,
    ResponsibilityAssignmentPage,
    ResponsibilityAssignmentRead,
    ResponsibilityAssignmentUpdate,
    ResponsibilityEnd,
    ResponsibilityGapFilter,
    ResponsibilityGaps,
    ResponsibilityHandOver,
    ResponsibilityHandOverResult,
    ResponsibilitySnapshotList,
)

responsibility_router = APIRouter(tags=["responsibility"])
ASSIGNMENTS = "/responsibility-assignments"


@responsibility_router.get(
    ASSIGNMENTS, response_model=ResponsibilityAssignmentPage, responses=problems(403, 410)
)
async def list_responsibility_assignments(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[ResponsibilityAssignmentFilter, Query()],
) -> ResponsibilityAssignmentPage:
    """Assignments in scope, current and ended (`at` keeps those valid at a moment)."""
    items, next_cursor, removed = await service.list_assignments(
        session, settings, principal, query
    )
    return ResponsibilityAssignmentPage(items=items, next_cursor=next_cursor, removed=removed)


@responsibility_router.post(
    ASSIGNMENTS,
    response_model=ResponsibilityAssignmentRead,
    status_code=status.HTTP_201_CREATED,
    responses={**problems(403, 404, 409), **replayed(ResponsibilityAssignmentRead)},
)
async def create_responsibility_assignment(
    data: ResponsibilityAssignmentCreate,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> ResponsibilityAssignmentRead:
    """Assign a responsibility. 409 `responsibility_seat_taken` when the seat already has a
    holder in an overlapping period; 422 when holder or object do not fit the kind."""
    item, created = await service.create_assignment(session, settings, principal, data)
    if not created:
        response.status_code = status.HTTP_200_OK
    with_etag(response, item.version, f"/api/v1{ASSIGNMENTS}/{item.id}")
    return item


@responsibility_router.get(
    ASSIGNMENTS + "/{assignment_id}",
    response_model=ResponsibilityAssignmentRead,
    responses=problems(403, 404),
)
async def get_responsibility_assignment(
    assignment_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep
) -> ResponsibilityAssignmentRead:
    item = await service.get_assignment(session, principal, assignment_id)
    with_etag(response, item.version)
    return item


@responsibility_router.patch(
    ASSIGNMENTS + "/{assignment_id}",
    response_model=ResponsibilityAssignmentRead,
    responses=problems(403, 404, 409, 412),
)
async def update_responsibility_assignment(
    assignment_id: uuid.UUID,
    data: ResponsibilityAssignmentUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> ResponsibilityAssignmentRead:
    """Duties, visit frequency, document, public display. Holder, object and period change
    only by `end` and `hand-over`."""
    item = await service.update_assignment(session, principal, assignment_id, data, if_match)
    with_etag(response, item.version)
    return item


@responsibility_router.post(
    ASSIGNMENTS + "/{assignment_id}/end",
    response_model=ResponsibilityAssignmentRead,
    responses=problems(403, 404, 409, 412),
)
async def end_responsibility_assignment(
    assignment_id: uuid.UUID,
    data: ResponsibilityEnd,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> ResponsibilityAssignmentRead:
    """End an assignment with a reason; it stays in the history."""
    item = await transitions.end_assignment(session, principal, assignment_id, data, if_match)
    with_etag(response, item.version)
    return item


@responsibility_router.post(
    ASSIGNMENTS + "/{assignment_id}/hand-over",
    response_model=ResponsibilityHandOverResult,
    responses=problems(403, 404, 409, 412),
)
async def hand_over_responsibility_assignment(
    assignment_id: uuid.UUID,
    data: ResponsibilityHandOver,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> ResponsibilityHandOverResult:
    """End the assignment and start the successor's at the same instant (交接), atomically.
    The body has both: the ended assignment and the successor's (a new resource)."""
    return await transitions.hand_over(session, settings, principal, assignment_id, data, if_match)


@responsibility_router.get(
    "/responsibility-gaps", response_model=ResponsibilityGaps, responses=problems(403)
)
async def get_responsibility_gaps(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[ResponsibilityGapFilter, Query()],
) -> ResponsibilityGaps:
    """Major hazards and red enterprises without a leader, enterprise sectors without a
    supervising department, enterprises without a main responsible person, assignments
    expiring soon, leaders whose required visit frequency was not met."""
    return await gaps.find_gaps(session, settings, principal, query)


@responsibility_router.get(
    "/enterprises/{enterprise_id}/responsibility",
    response_model=EnterpriseResponsibility,
    responses=problems(403, 404),
)
async def get_enterprise_responsibility(
    enterprise_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    query: Annotated[AtQuery, Query()],
) -> EnterpriseResponsibility:
    """The enterprise's responsibility chain at `at` (default now)."""
    return await chain.get_enterprise_responsibility(session, principal, enterprise_id, query.at)


@responsibility_router.get(
    "/hazards/{hazard_id}/responsibility",
    response_model=HazardResponsibility,
    responses=problems(403, 404),
)
async def get_hazard_responsibility(
    hazard_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    query: Annotated[AtQuery, Query()],
) -> HazardResponsibility:
    """The hazard's chain at `at`: the enterprise chain plus rectification and leaders."""
    return await chain.get_hazard_responsibility(session, principal, hazard_id, query.at)


@responsibility_router.get(
    "/hazards/{hazard_id}/responsibility-snapshots",
    response_model=ResponsibilitySnapshotList,
    responses=problems(403, 404),
)
async def list_responsibility_snapshots(
    hazard_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> ResponsibilitySnapshotList:
    """Chains stored when the hazard became overdue, was escalated or was closed."""
    return ResponsibilitySnapshotList(
        items=await chain.list_snapshots(session, principal, hazard_id)
    )


@responsibility_router.get(
    "/people/{person_id}/responsibilities",
    response_model=PersonResponsibilities,
    responses=problems(403, 404),
)
async def get_person_responsibilities(
    person_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    query: Annotated[AtQuery, Query()],
) -> PersonResponsibilities:
    """What the person answered for at `at`, their open hazards and visits due."""
    return await person.person_responsibilities(session, principal, person_id, query.at)


sources_router = APIRouter(prefix="/major-hazard-sources", tags=["major-hazard-sources"])


@sources_router.get("", response_model=MajorHazardSourcePage, responses=problems(403))
async def list_major_hazard_sources(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[MajorHazardSourceFilter, Query()],
) -> MajorHazardSourcePage:
    items, next_cursor = await sources.list_sources(session, settings, principal, query)
    return MajorHazardSourcePage(items=items, next_cursor=next_cursor)


@sources_router.post(
    "",
    response_model=MajorHazardSourceRead,
    status_code=status.HTTP_201_CREATED,
    responses={**problems(403, 404, 409), **replayed(MajorHazardSourceRead)},
)
async def create_major_hazard_source(
    data: MajorHazardSourceCreate, response: Response, session: SessionDep, principal: PrincipalDep
) -> MajorHazardSourceRead:
    """Register a major hazard source (重大危险源) of an enterprise."""
    item, created = await sources.create_source(session, principal, data)
    if not created:
        response.status_code = status.HTTP_200_OK
    with_etag(response, item.version, f"/api/v1/major-hazard-sources/{item.id}")
    return item


@sources_router.get(
    "/{source_id}", response_model=MajorHazardSourceRead, responses=problems(403, 404)
)
async def get_major_hazard_source(
    source_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep
) -> MajorHazardSourceRead:
    item = await sources.get_source(session, principal, source_id)
    with_etag(response, item.version)
    return item


router = APIRouter()
router.include_router(responsibility_router)
router.include_router(confirmation_router)
router.include_router(sources_router)
