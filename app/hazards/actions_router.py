"""Lifecycle actions: `POST /api/v1/hazards/{hazard_id}/<action>`, one row per action.

Each checks scope (404), role (403), `If-Match` (412), then the transition and its evidence
(409 with a code naming the rule); the response is the hazard with its new `ETag`. The
endpoints differ only in path, body and service call, so they are made from this table.

(No ``from __future__ import annotations`` here: the endpoint's body annotation must be the
model class itself for FastAPI to read it.)"""

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel

from app.auth.dependencies import PrincipalDep, SessionDep, SettingsDep
from app.auth.principal import Principal
from app.config import Settings
from app.core.http import IfMatchDep, with_etag
from app.core.problems import problems
from app.hazards import schemas, service
from app.hazards.schemas import HazardRead

ERRORS = problems(403, 404, 409, 412)
_ACTIONS: list[tuple[str, str, type[BaseModel], "Run", str]] = []

# (session, settings, principal, hazard_id, body, expected version) -> the hazard after the step
Run = Callable[[Any, Settings, Principal, uuid.UUID, Any, int | None], Awaitable[HazardRead]]


def _without_settings(step: Callable[..., Awaitable[HazardRead]]) -> Run:
    async def run(
        session: Any,
        settings: Settings,
        principal: Principal,
        hazard_id: uuid.UUID,
        body: Any,
        if_match: int | None,
    ) -> HazardRead:
        return await step(session, principal, hazard_id, body, if_match)

    return run


async def _link_relapse(
    session: Any,
    settings: Settings,
    principal: Principal,
    hazard_id: uuid.UUID,
    body: schemas.HazardLinkRelapse,
    if_match: int | None,
) -> HazardRead:
    return await service.link_relapse(
        session, principal, hazard_id, body.relapse_of_id, if_match, body
    )


def _action(path: str, name: str, body: type[BaseModel], run: Run, description: str) -> None:
    _ACTIONS.append((path, name, body, run, description))


def add_actions(router: APIRouter) -> None:
    """Register every action on the hazards router itself (not as an included router: each
    level of inclusion costs every request a walk over its routes)."""
    for path, name, body, run, description in _ACTIONS:
        router.add_api_route(
            f"/{{hazard_id}}/{path}",
            _endpoint(name, body, run),
            methods=["POST"],
            name=name,
            response_model=HazardRead,
            responses=ERRORS,
            description=description,
        )


def _endpoint(name: str, body: type[BaseModel], run: Run) -> Callable[..., Awaitable[HazardRead]]:
    async def endpoint(
        hazard_id: uuid.UUID,
        data: body,  # type: ignore[valid-type]
        response: Response,
        session: SessionDep,
        settings: SettingsDep,
        principal: PrincipalDep,
        if_match: IfMatchDep,
    ) -> HazardRead:
        hazard = await run(session, settings, principal, hazard_id, data, if_match)
        with_etag(response, hazard.version)
        return hazard

    endpoint.__name__ = endpoint.__qualname__ = name  # the operationId
    return endpoint


_action(
    "register",
    "register_hazard",
    schemas.HazardRegister,
    _without_settings(service.register_hazard),
    "Step 2: reported → registered. Sets the level; a major hazard needs criteria clauses or an\n"
    "expert note, a general one its treatment type. Departments and inspectors; the enterprise\n"
    "for hazards it found itself.",
)
_action(
    "regrade",
    "regrade_hazard",
    schemas.HazardRegister,
    _without_settings(service.regrade_hazard),
    "Step 2: a department re-grades a registered hazard (same rules as register).",
)
_action(
    "regrade-major",
    "regrade_hazard_major",
    schemas.HazardRegradeMajor,
    _without_settings(service.regrade_major),
    "Step 2 later: a general hazard found major while rectifying (rectifying,\n"
    "extension_requested, escalated or pending_verification) → planning on the major path;\n"
    "reason and criteria\n"
    "clauses or an expert note; the deadline stays until the plan's; listable from now on.",
)
_action(
    "fix-on-spot",
    "fix_hazard_on_spot",
    schemas.HazardFixOnSpot,
    _without_settings(service.fix_on_spot),
    "Step 3: a general immediate hazard fixed on the spot → pending_verification. Needs an after-\n"
    "photo (`attachment_ids`, purpose `after`).",
)
_action(
    "order-rectification",
    "order_hazard_rectification",
    schemas.HazardOrderRectification,
    _without_settings(service.order_rectification),
    "Step 4: a registered general by-deadline hazard → rectifying: a rectification order (with\n"
    "its document number) or the enterprise's internal deadline for self-found ones.",
)
_action(
    "report-major",
    "report_major_hazard",
    schemas.HazardReportMajor,
    _without_settings(service.report_major),
    "Step 5: a registered major hazard is reported to the regulator → planning (optional stop\n"
    "order with its document).",
)
_action(
    "list",
    "list_hazard_for_supervision",
    schemas.HazardListingCreate,
    service.list_hazard,
    "Step 5: supervised listing (挂牌督办) of a major hazard by a department or the safety\n"
    "committee office.",
)
_action(
    "submit-plan",
    "submit_hazard_plan",
    schemas.HazardPlanSubmit,
    _without_settings(service.submit_plan),
    "Step 6: planning → rectifying, only with all six treatment-plan elements and a deadline.",
)
_action(
    "report-progress",
    "report_hazard_progress",
    schemas.HazardProgress,
    _without_settings(service.report_progress),
    "Step 7: a progress report while rectifying (status unchanged).",
)
_action(
    "request-extension",
    "request_hazard_extension",
    schemas.HazardExtensionRequest,
    service.request_extension,
    "Step 8: rectifying → extension_requested, asked before the deadline minus the configured\n"
    "lead time.",
)
_action(
    "approve-extension",
    "approve_hazard_extension",
    schemas.HazardExtensionApprove,
    _without_settings(service.approve_extension),
    "Step 8: the issuing unit approves → rectifying with a new deadline version.",
)
_action(
    "reject-extension",
    "reject_hazard_extension",
    schemas.HazardExtensionReject,
    _without_settings(service.reject_extension),
    "Step 8: the issuing unit rejects → rectifying; the deadline stays.",
)
_action(
    "declare-completion",
    "declare_hazard_completion",
    schemas.HazardCompletion,
    _without_settings(service.declare_completion),
    "Step 9: rectifying → pending_verification with evidence; a major hazard needs an assessment,\n"
    "a suspended one a written application to resume.",
)
_action(
    "accept",
    "accept_hazard",
    schemas.HazardAccept,
    _without_settings(service.accept_hazard),
    "Step 10: acceptance passes → closed (销号). Major: an acceptance record with experts;\n"
    "suspended major: resumption approved (the enterprise resumes).",
)
_action(
    "reject-acceptance",
    "reject_hazard_acceptance",
    schemas.HazardRejectAcceptance,
    _without_settings(service.reject_acceptance),
    "Step 11: acceptance fails, with reasons → rectifying.",
)
_action(
    "escalate",
    "escalate_hazard",
    schemas.HazardEscalate,
    service.escalate_hazard,
    "Step 12: overdue or refused → escalated: fine, suspension (the enterprise is suspended),\n"
    "power cut notice, request for closure (the enterprise is closed; major hazard and the\n"
    "penalty threshold).",
)
_action(
    "cancel",
    "cancel_hazard",
    schemas.HazardCancel,
    _without_settings(service.cancel_hazard),
    "Step 13: an open hazard → cancelled (false or duplicate), reason required; by whoever\n"
    "reported or registered it, or a department.",
)
_action(
    "link-relapse",
    "link_hazard_relapse",
    schemas.HazardLinkRelapse,
    _link_relapse,
    "Step 14: link this hazard as a relapse of a closed one found again at a look-back.",
)
_action(
    "assign-experts",
    "assign_hazard_experts",
    schemas.HazardAssignExperts,
    _without_settings(service.assign_experts),
    "Assign experts (people) who may then see this hazard and accept it.",
)
