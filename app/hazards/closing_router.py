"""Lifecycle actions, steps 9–14: `POST /api/v1/hazards/{hazard_id}/<action>`.

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
    HazardAccept,
    HazardAssignExperts,
    HazardCancel,
    HazardCompletion,
    HazardEscalate,
    HazardLinkRelapse,
    HazardRead,
    HazardRejectAcceptance,
)

router = APIRouter()
ERRORS = problems(403, 404, 409, 412)


def _tagged(response: Response, hazard: HazardRead) -> HazardRead:
    with_etag(response, hazard.version)
    return hazard


@router.post("/{hazard_id}/declare-completion", response_model=HazardRead, responses=ERRORS)
async def declare_hazard_completion(
    hazard_id: uuid.UUID,
    data: HazardCompletion,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> HazardRead:
    """Step 9: rectifying → pending_verification with evidence; a major hazard needs an assessment,
    a suspended one a written application to resume."""
    return _tagged(
        response, await service.declare_completion(session, principal, hazard_id, data, if_match)
    )


@router.post("/{hazard_id}/accept", response_model=HazardRead, responses=ERRORS)
async def accept_hazard(
    hazard_id: uuid.UUID,
    data: HazardAccept,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> HazardRead:
    """Step 10: acceptance passes → closed (销号). Major: an acceptance record with experts;
    suspended major: resumption approved (the enterprise resumes)."""
    return _tagged(
        response, await service.accept_hazard(session, principal, hazard_id, data, if_match)
    )


@router.post("/{hazard_id}/reject-acceptance", response_model=HazardRead, responses=ERRORS)
async def reject_hazard_acceptance(
    hazard_id: uuid.UUID,
    data: HazardRejectAcceptance,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> HazardRead:
    """Step 11: acceptance fails, with reasons → rectifying."""
    return _tagged(
        response, await service.reject_acceptance(session, principal, hazard_id, data, if_match)
    )


@router.post("/{hazard_id}/escalate", response_model=HazardRead, responses=ERRORS)
async def escalate_hazard(
    hazard_id: uuid.UUID,
    data: HazardEscalate,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> HazardRead:
    """Step 12: overdue or refused → escalated: fine, suspension (the enterprise is suspended),
    power cut notice, request for closure (the enterprise is closed; major hazard and the
    penalty threshold)."""
    return _tagged(
        response,
        await service.escalate_hazard(session, settings, principal, hazard_id, data, if_match),
    )


@router.post("/{hazard_id}/cancel", response_model=HazardRead, responses=ERRORS)
async def cancel_hazard(
    hazard_id: uuid.UUID,
    data: HazardCancel,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> HazardRead:
    """Step 13: an open hazard → cancelled (false or duplicate), reason required; by whoever
    reported or registered it, or a department."""
    return _tagged(
        response, await service.cancel_hazard(session, principal, hazard_id, data, if_match)
    )


@router.post("/{hazard_id}/link-relapse", response_model=HazardRead, responses=ERRORS)
async def link_hazard_relapse(
    hazard_id: uuid.UUID,
    data: HazardLinkRelapse,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> HazardRead:
    """Step 14: link this hazard as a relapse of a closed one found again at a look-back."""
    return _tagged(
        response,
        await service.link_relapse(
            session, principal, hazard_id, data.relapse_of_id, if_match, data
        ),
    )


@router.post("/{hazard_id}/assign-experts", response_model=HazardRead, responses=ERRORS)
async def assign_hazard_experts(
    hazard_id: uuid.UUID,
    data: HazardAssignExperts,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> HazardRead:
    """Assign experts (people) who may then see this hazard and accept it."""
    return _tagged(
        response, await service.assign_experts(session, principal, hazard_id, data, if_match)
    )
