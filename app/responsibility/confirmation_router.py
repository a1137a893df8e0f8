"""Re-confirmation answers over HTTP: the holder confirms or declines (复核确认)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from app.auth.dependencies import PrincipalDep, SessionDep
from app.core.http import IfMatchDep, with_etag
from app.core.problems import problems
from app.responsibility import confirmation
from app.responsibility.schemas import (
    ResponsibilityAssignmentRead,
    ResponsibilityConfirm,
    ResponsibilityDecline,
)

confirmation_router = APIRouter(tags=["responsibility"])
ASSIGNMENT = "/responsibility-assignments/{assignment_id}"


@confirmation_router.post(
    ASSIGNMENT + "/confirm",
    response_model=ResponsibilityAssignmentRead,
    responses=problems(403, 404, 409, 412),
)
async def confirm_responsibility_assignment(
    assignment_id: uuid.UUID,
    data: ResponsibilityConfirm,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> ResponsibilityAssignmentRead:
    """The holder confirms they still hold this responsibility (answer to the periodic
    "请确认您是否仍承担该项安全生产责任"); restarts the re-confirmation period and clears a decline.
    Only the holder: the person by their own account, a unit by one of its officials (403
    `responsibility_not_holder`); only a current assignment (409)."""
    item = await confirmation.confirm_assignment(session, principal, assignment_id, data, if_match)
    with_etag(response, item.version)
    return item


@confirmation_router.post(
    ASSIGNMENT + "/decline",
    response_model=ResponsibilityAssignmentRead,
    responses=problems(403, 404, 409, 412, 422),
)
async def decline_responsibility_assignment(
    assignment_id: uuid.UUID,
    data: ResponsibilityDecline,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> ResponsibilityAssignmentRead:
    """The holder declines, with the reason. The assignment stays (the appointing unit ends it
    or hands it over) and shows as an `assignment_declined` gap meanwhile."""
    item = await confirmation.decline_assignment(session, principal, assignment_id, data, if_match)
    with_etag(response, item.version)
    return item
