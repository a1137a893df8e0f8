"""Lifecycle actions, steps 2–8: `POST /api/v1/hazards/{hazard_id}/<action>`.

Each checks scope (404), role (403), `If-Match` (412), then the transition and its evidence
(409 with a code naming the rule)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from app.auth.dependencies import PrincipalDep, SessionDep, SettingsDep
from app.core.http import IfMatchDep, with_etag
from app.core.problems import problems
from app.hazards import service
from app.hazards.schemas import (
    HazardExtensionApprove,
    HazardExtensionReject,
    HazardExtensionRequest,
    HazardFixOnSpot,
    HazardListingCreate,
    HazardOrderRectification,
    HazardPlanSubmit,
    HazardProgress,
    HazardRead,
    HazardRegister,
    HazardReportMajor,
)

router = APIRouter()
ERRORS = problems(403, 404, 409, 412)


def _tagged(response: Response, hazard: HazardRead) -> HazardRead:
    with_etag(response, hazard.version)
    return hazard


@router.post("/{hazard_id}/register", response_model=HazardRead, responses=ERRORS)
async def register_hazard(
    hazard_id: uuid.UUID,
    data: HazardRegister,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> HazardRead:
    """Step 2: reported → registered. Sets the level; a major hazard needs criteria clauses or an
    expert note, a general one its treatment type. Departments and inspectors; the enterprise
    for hazards it found itself."""
    return _tagged(
        response, await service.register_hazard(session, principal, hazard_id, data, if_match)
    )


@router.post("/{hazard_id}/regrade", response_model=HazardRead, responses=ERRORS)
async def regrade_hazard(
    hazard_id: uuid.UUID,
    data: HazardRegister,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> HazardRead:
    """Step 2: a department re-grades a registered hazard (same rules as register)."""
    return _tagged(
        response, await service.regrade_hazard(session, principal, hazard_id, data, if_match)
    )


@router.post("/{hazard_id}/fix-on-spot", response_model=HazardRead, responses=ERRORS)
async def fix_hazard_on_spot(
    hazard_id: uuid.UUID,
    data: HazardFixOnSpot,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> HazardRead:
    """Step 3: a general immediate hazard fixed on the spot → pending_verification. Needs an after-
    photo (`attachment_ids`, purpose `after`)."""
    return _tagged(
        response, await service.fix_on_spot(session, principal, hazard_id, data, if_match)
    )


@router.post("/{hazard_id}/order-rectification", response_model=HazardRead, responses=ERRORS)
async def order_hazard_rectification(
    hazard_id: uuid.UUID,
    data: HazardOrderRectification,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> HazardRead:
    """Step 4: a registered general by-deadline hazard → rectifying: a rectification order (with
    its document number) or the enterprise's internal deadline for self-found ones."""
    return _tagged(
        response, await service.order_rectification(session, principal, hazard_id, data, if_match)
    )


@router.post("/{hazard_id}/report-major", response_model=HazardRead, responses=ERRORS)
async def report_major_hazard(
    hazard_id: uuid.UUID,
    data: HazardReportMajor,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> HazardRead:
    """Step 5: a registered major hazard is reported to the regulator → planning (optional stop
    order with its document)."""
    return _tagged(
        response, await service.report_major(session, principal, hazard_id, data, if_match)
    )


@router.post("/{hazard_id}/list", response_model=HazardRead, responses=ERRORS)
async def list_hazard_for_supervision(
    hazard_id: uuid.UUID,
    data: HazardListingCreate,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> HazardRead:
    """Step 5: supervised listing (挂牌督办) of a major hazard by a department or the safety
    committee office."""
    return _tagged(
        response, await service.list_hazard(session, settings, principal, hazard_id, data, if_match)
    )


@router.post("/{hazard_id}/submit-plan", response_model=HazardRead, responses=ERRORS)
async def submit_hazard_plan(
    hazard_id: uuid.UUID,
    data: HazardPlanSubmit,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> HazardRead:
    """Step 6: planning → rectifying, only with all six treatment-plan elements and a deadline."""
    return _tagged(
        response, await service.submit_plan(session, principal, hazard_id, data, if_match)
    )


@router.post("/{hazard_id}/report-progress", response_model=HazardRead, responses=ERRORS)
async def report_hazard_progress(
    hazard_id: uuid.UUID,
    data: HazardProgress,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> HazardRead:
    """Step 7: a progress report while rectifying (status unchanged)."""
    return _tagged(
        response, await service.report_progress(session, principal, hazard_id, data, if_match)
    )


@router.post("/{hazard_id}/request-extension", response_model=HazardRead, responses=ERRORS)
async def request_hazard_extension(
    hazard_id: uuid.UUID,
    data: HazardExtensionRequest,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> HazardRead:
    """Step 8: rectifying → extension_requested, asked before the deadline minus the configured
    lead time."""
    return _tagged(
        response,
        await service.request_extension(session, settings, principal, hazard_id, data, if_match),
    )


@router.post("/{hazard_id}/approve-extension", response_model=HazardRead, responses=ERRORS)
async def approve_hazard_extension(
    hazard_id: uuid.UUID,
    data: HazardExtensionApprove,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> HazardRead:
    """Step 8: the issuing unit approves → rectifying with a new deadline version."""
    return _tagged(
        response, await service.approve_extension(session, principal, hazard_id, data, if_match)
    )


@router.post("/{hazard_id}/reject-extension", response_model=HazardRead, responses=ERRORS)
async def reject_hazard_extension(
    hazard_id: uuid.UUID,
    data: HazardExtensionReject,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> HazardRead:
    """Step 8: the issuing unit rejects → rectifying; the deadline stays."""
    return _tagged(
        response, await service.reject_extension(session, principal, hazard_id, data, if_match)
    )
