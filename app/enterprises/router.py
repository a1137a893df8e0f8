"""The enterprise registry over HTTP."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import StreamingResponse

from app.auth.dependencies import PrincipalDep, SessionDep, SettingsDep
from app.core.export_http import EXPORT_RESPONSES
from app.core.http import IfMatchDep, with_etag
from app.core.problems import problems, replayed
from app.enterprises import service
from app.enterprises.schemas import (
    EnterpriseCreate,
    EnterpriseFilter,
    EnterprisePage,
    EnterpriseRead,
    EnterpriseStatusChange,
    EnterpriseUpdate,
)
from app.statistics import exporting

router = APIRouter(prefix="/enterprises", tags=["enterprises"])


@router.get("", response_model=EnterprisePage, responses=problems(410))
async def list_enterprises(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[EnterpriseFilter, Query()],
) -> EnterprisePage:
    """Enterprises in scope; `q` searches names (Chinese substrings); `changed_since` syncs."""
    page = await service.list_enterprises(session, settings, principal, query)
    service.audit_contacts_shown(session, principal, page.items)
    return page


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={**EXPORT_RESPONSES, **problems(403)},
)
async def export_enterprises(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[exporting.EnterpriseExportFilter, Query()],
) -> StreamingResponse:
    """Every enterprise the list would show, as CSV or XLSX (`format=` or `Accept`), streamed;
    column headers in the `Accept-Language` language."""
    return await exporting.export_enterprises(request, session, settings, principal, query)


@router.post(
    "",
    response_model=EnterpriseRead,
    status_code=status.HTTP_201_CREATED,
    responses={**problems(403, 404, 409), **replayed(EnterpriseRead)},
)
async def create_enterprise(
    data: EnterpriseCreate, response: Response, session: SessionDep, principal: PrincipalDep
) -> EnterpriseRead:
    """Register a unit. The credit code is checked (length, charset, county, check character)."""
    ent, created = await service.create_enterprise(session, principal, data)
    if not created:
        response.status_code = status.HTTP_200_OK
    with_etag(response, ent.version, f"/api/v1/enterprises/{ent.id}")
    return ent


@router.get("/{enterprise_id}", response_model=EnterpriseRead, responses=problems(404))
async def get_enterprise(
    enterprise_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep
) -> EnterpriseRead:
    ent = await service.get_enterprise(session, principal, enterprise_id)
    service.audit_contacts_shown(session, principal, [ent])
    with_etag(response, ent.version)
    return ent


@router.patch(
    "/{enterprise_id}", response_model=EnterpriseRead, responses=problems(403, 404, 409, 412)
)
async def update_enterprise(
    enterprise_id: uuid.UUID,
    data: EnterpriseUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> EnterpriseRead:
    ent = await service.update_enterprise(session, principal, enterprise_id, data, if_match)
    with_etag(response, ent.version)
    return ent


@router.delete(
    "/{enterprise_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problems(403, 404, 412)
)
async def delete_enterprise(
    enterprise_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, if_match: IfMatchDep
) -> Response:
    """Soft delete: the record stays as a tombstone for delta sync; its credit code is freed."""
    await service.delete_enterprise(session, principal, enterprise_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


async def _status(
    action: Literal["suspend", "resume", "close"],
    enterprise_id: uuid.UUID,
    data: EnterpriseStatusChange,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: int | None,
) -> EnterpriseRead:
    ent = await service.change_status(session, principal, enterprise_id, action, data, if_match)
    with_etag(response, ent.version)
    return ent


@router.post(
    "/{enterprise_id}/suspend",
    response_model=EnterpriseRead,
    responses=problems(403, 404, 409, 412),
)
async def suspend_enterprise(
    enterprise_id: uuid.UUID,
    data: EnterpriseStatusChange,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> EnterpriseRead:
    """Suspension for rectification (停产停业整顿)."""
    return await _status("suspend", enterprise_id, data, response, session, principal, if_match)


@router.post(
    "/{enterprise_id}/resume", response_model=EnterpriseRead, responses=problems(403, 404, 409, 412)
)
async def resume_enterprise(
    enterprise_id: uuid.UUID,
    data: EnterpriseStatusChange,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> EnterpriseRead:
    """Resumption approved (复产)."""
    return await _status("resume", enterprise_id, data, response, session, principal, if_match)


@router.post(
    "/{enterprise_id}/close", response_model=EnterpriseRead, responses=problems(403, 404, 409, 412)
)
async def close_enterprise(
    enterprise_id: uuid.UUID,
    data: EnterpriseStatusChange,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> EnterpriseRead:
    """Closure (关闭取缔)."""
    return await _status("close", enterprise_id, data, response, session, principal, if_match)
