"""State changes of an assignment: end (with reason) and hand-over (end + successor, atomic).

Neither overwrites anything: the ended assignment keeps its holder and gets ``valid_to``,
``end_reason`` and ``ended_by``; the successor is a new row pointing back (``predecessor_id``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import diff, record_audit
from app.auth.principal import Principal
from app.config import Settings
from app.core.clock import utcnow
from app.core.errors import Conflict
from app.core.ids import new_id
from app.models.responsibility import ResponsibilityAssignment
from app.responsibility import rules
from app.responsibility.enums import ObjectType, ResponsibilityKind
from app.responsibility.schemas import (
    ResponsibilityAssignmentRead,
    ResponsibilityEnd,
    ResponsibilityHandOver,
    ResponsibilityHandOverResult,
)
from app.responsibility.service import (
    RESOURCE,
    emit,
    flush_checked,
    get_assignment,
    insert,
    locked,
    mirror_main_responsible,
    snapshot,
)


def _end(principal: Principal, a: ResponsibilityAssignment, at: datetime, reason: str) -> None:
    if a.end_reason is not None or (a.valid_to is not None and a.valid_to <= utcnow()):
        raise Conflict(
            "This assignment has already ended",
            "该责任分工已终止",
            code="responsibility_assignment_ended",
        )
    if at <= a.valid_from:
        raise rules.unfit(
            "at",
            "The end must be after the start of the assignment",
            "终止时间须晚于责任开始时间",
            "responsibility_period",
        )
    a.valid_to, a.end_reason, a.ended_by = at, reason, principal.actor_label


async def end_assignment(
    session: AsyncSession,
    principal: Principal,
    assignment_id: uuid.UUID,
    data: ResponsibilityEnd,
    expected_version: int | None,
) -> ResponsibilityAssignmentRead:
    a = await locked(session, principal, assignment_id, expected_version)
    before = snapshot(a)
    _end(principal, a, data.at or utcnow(), data.reason)
    await flush_checked(session)
    record_audit(
        session,
        principal,
        action="end",
        resource_type=RESOURCE,
        resource_id=a.id,
        changes=diff(before, snapshot(a)),
        region_code=a.region_code,
    )
    emit(session, "responsibility_assignment.ended", a, reason=data.reason)
    await mirror_main_responsible(session, principal, a)
    return await get_assignment(session, principal, a.id)


async def hand_over(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    assignment_id: uuid.UUID,
    data: ResponsibilityHandOver,
    expected_version: int | None,
) -> ResponsibilityHandOverResult:
    """End the assignment at ``at`` and start the successor's at the same instant (one
    transaction: either both happen or neither)."""
    old = await locked(session, principal, assignment_id, expected_version)
    if (data.holder_person_id is not None and data.holder_person_id == old.holder_person_id) or (
        data.holder_department_id is not None
        and data.holder_department_id == old.holder_department_id
    ):
        raise rules.unfit(
            "holder_person_id",
            "The successor is the current holder",
            "接任者与现任责任人相同",
            "responsibility_same_holder",
        )
    at = data.at or utcnow()
    if data.valid_to is not None and data.valid_to <= at:
        raise rules.unfit(
            "valid_to",
            "valid_to must be after the hand-over",
            "结束时间须晚于交接时间",
            "responsibility_period",
        )
    before = snapshot(old)
    _end(principal, old, at, data.reason)
    await flush_checked(session)
    new_id_ = data.id or new_id()
    record_audit(
        session,
        principal,
        action="hand_over",
        resource_type=RESOURCE,
        resource_id=old.id,
        changes=diff(before, snapshot(old)),
        region_code=old.region_code,
    )
    emit(
        session,
        "responsibility_assignment.handed_over",
        old,
        reason=data.reason,
        successor_id=new_id_,
    )
    fields = {f: getattr(old, f) for f in rules.ALL_OBJECT_FIELDS}
    fields.update(
        holder_person_id=data.holder_person_id, holder_department_id=data.holder_department_id
    )

    def pick(name: str) -> Any:
        value = getattr(data, name)
        return getattr(old, name) if value is None else value

    new = await insert(
        session,
        settings,
        principal,
        new_id_,
        ResponsibilityKind(old.kind),
        ObjectType(old.object_type),
        fields,
        at,
        valid_to=data.valid_to,
        duties=pick("duties"),
        required_visit_days=pick("required_visit_days"),
        appointing_unit=pick("appointing_unit"),
        document_number=data.document_number,
        public_display=pick("public_display"),
        predecessor_id=old.id,
    )
    return ResponsibilityHandOverResult(
        ended=await get_assignment(session, principal, old.id),
        started=await get_assignment(session, principal, new.id),
    )
