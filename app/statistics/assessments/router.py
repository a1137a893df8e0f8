"""Annual assessments over HTTP."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.auth.dependencies import PrincipalDep, SessionDep
from app.core.http import IfMatchDep, with_etag
from app.core.problems import problems
from app.statistics.assessments import service
from app.statistics.assessments.schemas import (
    AssessmentCreate,
    AssessmentFilter,
    AssessmentPage,
    AssessmentRead,
    AssessmentUpdate,
)

router = APIRouter(prefix="/assessments", tags=["assessments"])


@router.get("", response_model=AssessmentPage, responses=problems(403))
async def list_assessments(
    session: SessionDep, principal: PrincipalDep, query: Annotated[AssessmentFilter, Query()]
) -> AssessmentPage:
    """Assessments in your region (at most a few per county and year: one page)."""
    items = await service.list_assessments(
        session, principal, year=query.year, unit_kind=query.unit_kind, region=query.region
    )
    return AssessmentPage(items=items, next_cursor=None)


@router.post(
    "",
    response_model=AssessmentRead,
    status_code=status.HTTP_201_CREATED,
    responses=problems(403, 404, 409),
)
async def create_assessment(
    data: AssessmentCreate, response: Response, session: SessionDep, principal: PrincipalDep
) -> AssessmentRead:
    """Define a year's assessment of a county's towns or departments: weighted indicators."""
    read = await service.create_assessment(session, principal, data)
    with_etag(response, read.version, f"/api/v1/assessments/{read.id}")
    return read


@router.get("/{assessment_id}", response_model=AssessmentRead, responses=problems(403, 404))
async def get_assessment(
    assessment_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep
) -> AssessmentRead:
    """Scores and ranking: computed now while draft, the frozen snapshot once final."""
    read = await service.get_assessment(session, principal, assessment_id)
    with_etag(response, read.version)
    return read


@router.patch(
    "/{assessment_id}", response_model=AssessmentRead, responses=problems(403, 404, 409, 412)
)
async def update_assessment(
    assessment_id: uuid.UUID,
    data: AssessmentUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> AssessmentRead:
    """Change the title or indicators, or enter values by hand (merged per unit); draft only."""
    read = await service.update_assessment(session, principal, assessment_id, data, if_match)
    with_etag(response, read.version)
    return read


@router.post(
    "/{assessment_id}/finalize",
    response_model=AssessmentRead,
    responses=problems(403, 404, 409, 412),
)
async def finalize_assessment(
    assessment_id: uuid.UUID,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> AssessmentRead:
    """Freeze the year-end ranking (年终快照); later data changes do not alter it."""
    read = await service.finalize_assessment(session, principal, assessment_id, if_match)
    with_etag(response, read.version)
    return read
