"""People (officials, inspectors, enterprise staff, experts) over HTTP."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.auth.dependencies import PrincipalDep, SessionDep, SettingsDep
from app.core.http import IfMatchDep, with_etag
from app.core.problems import problems, replayed
from app.people import service
from app.people.schemas import (
    PersonCreate,
    PersonFilter,
    PersonPage,
    PersonRead,
    PersonStatusChange,
    PersonUpdate,
)

router = APIRouter(prefix="/people", tags=["people"])


@router.get("", response_model=PersonPage, responses=problems(403, 410))
async def list_people(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[PersonFilter, Query()],
) -> PersonPage:
    """People in scope. Phones are masked without `personal_data:read`; every unmasked phone
    in the page is recorded in the audit trail (`personal_data_read`)."""
    items, next_cursor, removed = await service.list_people(session, settings, principal, query)
    return PersonPage(items=items, next_cursor=next_cursor, removed=removed)


@router.post(
    "",
    response_model=PersonRead,
    status_code=status.HTTP_201_CREATED,
    responses={**problems(403, 404, 409), **replayed(PersonRead)},
)
async def create_person(
    data: PersonCreate, response: Response, session: SessionDep, principal: PrincipalDep
) -> PersonRead:
    """Register a person in a department, town/street government or enterprise."""
    person, created = await service.create_person(session, principal, data)
    if not created:
        response.status_code = status.HTTP_200_OK
    with_etag(response, person.version, f"/api/v1/people/{person.id}")
    return person


@router.get("/{person_id}", response_model=PersonRead, responses=problems(403, 404))
async def get_person(
    person_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep
) -> PersonRead:
    """One person; an unmasked phone read is audited."""
    person = await service.get_person(session, principal, person_id)
    with_etag(response, person.version)
    return person


@router.patch("/{person_id}", response_model=PersonRead, responses=problems(403, 404, 409, 412))
async def update_person(
    person_id: uuid.UUID,
    data: PersonUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> PersonRead:
    person = await service.update_person(session, principal, person_id, data, if_match)
    with_etag(response, person.version)
    return person


@router.delete(
    "/{person_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problems(403, 404, 412)
)
async def delete_person(
    person_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, if_match: IfMatchDep
) -> Response:
    """Soft delete: the record stays as a tombstone for delta sync; its subject is freed."""
    await service.delete_person(session, principal, person_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{person_id}/deactivate", response_model=PersonRead, responses=problems(403, 404, 409, 412)
)
async def deactivate_person(
    person_id: uuid.UUID,
    data: PersonStatusChange,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> PersonRead:
    """Deactivate (停用): the person's tokens are refused from now on."""
    person = await service.set_active(session, principal, person_id, False, data, if_match)
    with_etag(response, person.version)
    return person


@router.post(
    "/{person_id}/activate", response_model=PersonRead, responses=problems(403, 404, 409, 412)
)
async def activate_person(
    person_id: uuid.UUID,
    data: PersonStatusChange,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> PersonRead:
    """Reactivate (启用) a deactivated person."""
    person = await service.set_active(session, principal, person_id, True, data, if_match)
    with_etag(response, person.version)
    return person
