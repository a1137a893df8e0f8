"""Departments (government units) over HTTP."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.auth.dependencies import PrincipalDep, SessionDep, SettingsDep
from app.core.http import IfMatchDep, with_etag
from app.core.problems import problems, replayed
from app.departments import service
from app.departments.schemas import (
    DepartmentCreate,
    DepartmentFilter,
    DepartmentPage,
    DepartmentRead,
    DepartmentUpdate,
)

router = APIRouter(prefix="/departments", tags=["departments"])


@router.get("", response_model=DepartmentPage, responses=problems(410))
async def list_departments(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[DepartmentFilter, Query()],
) -> DepartmentPage:
    """Departments in the caller's region, filtered; `changed_since` for delta sync."""
    return await service.list_departments(session, settings, principal, query)


@router.post(
    "",
    response_model=DepartmentRead,
    status_code=status.HTTP_201_CREATED,
    responses={**problems(403, 404, 409), **replayed(DepartmentRead)},
)
async def create_department(
    data: DepartmentCreate, response: Response, session: SessionDep, principal: PrincipalDep
) -> DepartmentRead:
    """Create a government unit. A repeated create with the same `id` and body returns it."""
    dept, created = await service.create_department(session, principal, data)
    if not created:
        response.status_code = status.HTTP_200_OK
    with_etag(response, dept.version, f"/api/v1/departments/{dept.id}")
    return dept


@router.get("/{department_id}", response_model=DepartmentRead, responses=problems(404))
async def get_department(
    department_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep
) -> DepartmentRead:
    dept = await service.get_department(session, principal, department_id)
    with_etag(response, dept.version)
    return dept


@router.patch(
    "/{department_id}", response_model=DepartmentRead, responses=problems(403, 404, 409, 412)
)
async def update_department(
    department_id: uuid.UUID,
    data: DepartmentUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> DepartmentRead:
    dept = await service.update_department(session, principal, department_id, data, if_match)
    with_etag(response, dept.version)
    return dept


@router.delete(
    "/{department_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problems(403, 404, 412)
)
async def delete_department(
    department_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, if_match: IfMatchDep
) -> Response:
    """Soft delete: the record stays as a tombstone for delta sync."""
    await service.delete_department(session, principal, department_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
