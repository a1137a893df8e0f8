"""Re-confirmation answers (复核确认): the worker asks each holder every N days "请确认您是否仍承担
该项安全生产责任"; the holder confirms, or declines with a reason. Both are stored on the
assignment (audit row, ``responsibility_assignment.confirmed|declined`` event); an unanswered
request and a decline are responsibility gaps (``assignment_unconfirmed``,
``assignment_declined``) until the holder confirms or the appointing unit ends / hands over."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import diff, record_audit
from app.auth.principal import Principal, Role
from app.auth.scope import require
from app.core.clock import utcnow
from app.core.concurrency import check_version
from app.core.errors import Conflict, Forbidden, NotFound
from app.models.responsibility import ResponsibilityAssignment
from app.responsibility import repository
from app.responsibility.schemas import (
    ResponsibilityAssignmentRead,
    ResponsibilityConfirm,
    ResponsibilityDecline,
)
from app.responsibility.service import RESOURCE, emit, get_assignment

_FIELDS = ("last_confirmed_at", "declined_at", "decline_reason", "answered_by")
_UNIT_ROLES = (Role.department_official, Role.town_official, Role.committee_office)


async def _held(
    session: AsyncSession,
    principal: Principal,
    assignment_id: uuid.UUID,
    expected_version: int | None,
) -> ResponsibilityAssignment:
    """The assignment, locked, if the caller is its holder (a person by their own account, a
    unit by one of its officials) and it is current."""
    require(principal, "responsibility:read")
    a = await repository.get_for_update(session, principal, assignment_id)
    if a is None:
        raise NotFound(
            "Responsibility assignment not found",
            "责任分工不存在",
            code="responsibility_assignment_not_found",
        )
    holder = (a.holder_person_id is not None and a.holder_person_id == principal.person_id) or (
        a.holder_department_id is not None
        and a.holder_department_id == principal.department_id
        and principal.role in _UNIT_ROLES
    )
    if not holder:
        raise Forbidden(
            "Only the holder answers for this responsibility (a unit by one of its officials)",
            "只有责任人本人（单位责任由本单位工作人员）可以确认或不予确认",
            code="responsibility_not_holder",
        )
    check_version(expected_version, a.version)
    now = utcnow()
    if a.valid_from > now or (a.valid_to is not None and a.valid_to <= now):
        raise Conflict(
            "Only a current assignment is confirmed or declined",
            "仅对当前有效的责任分工进行确认或不予确认",
            code="responsibility_assignment_not_current",
        )
    return a


async def _answer(
    session: AsyncSession,
    principal: Principal,
    a: ResponsibilityAssignment,
    action: str,
    **extra: str | None,
) -> ResponsibilityAssignmentRead:
    before = {f: getattr(a, f) for f in _FIELDS}
    now = utcnow()
    if action == "confirm":
        a.last_confirmed_at, a.declined_at, a.decline_reason = now, None, None
    else:
        a.declined_at, a.decline_reason = now, extra["reason"]
    a.answered_by = principal.actor_label
    await session.flush()
    record_audit(
        session,
        principal,
        action=action,
        resource_type=RESOURCE,
        resource_id=a.id,
        changes=diff(before, {f: getattr(a, f) for f in _FIELDS}),
        region_code=a.region_code,
    )
    event = "confirmed" if action == "confirm" else "declined"
    emit(
        session,
        f"responsibility_assignment.{event}",
        a,
        holder_person_id=a.holder_person_id,
        holder_department_id=a.holder_department_id,
        **extra,
    )
    return await get_assignment(session, principal, a.id)


async def confirm_assignment(
    session: AsyncSession,
    principal: Principal,
    assignment_id: uuid.UUID,
    data: ResponsibilityConfirm,
    expected_version: int | None,
) -> ResponsibilityAssignmentRead:
    a = await _held(session, principal, assignment_id, expected_version)
    return await _answer(session, principal, a, "confirm", comment=data.comment)


async def decline_assignment(
    session: AsyncSession,
    principal: Principal,
    assignment_id: uuid.UUID,
    data: ResponsibilityDecline,
    expected_version: int | None,
) -> ResponsibilityAssignmentRead:
    a = await _held(session, principal, assignment_id, expected_version)
    return await _answer(session, principal, a, "decline", reason=data.reason)
