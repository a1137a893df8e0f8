"""Lifecycle steps 13–14 and assignments: cancel, relapse links, experts for acceptance."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal, Role
from app.core.clock import utcnow
from app.core.concurrency import check_version
from app.core.errors import Forbidden, Unprocessable
from app.hazards import repository
from app.hazards.schemas import (
    HazardAssignExperts,
    HazardCancel,
    HazardLinkRelapse,
    HazardRead,
)
from app.hazards.service.common import (
    check_transition,
    conflict,
    finish_step,
    locked,
    move,
    not_found,
    snapshot,
)
from app.hazards.service.relapse import check_relapse_target, note_relapse_on_old


async def cancel_hazard(
    session: AsyncSession,
    principal: Principal,
    hazard_id: uuid.UUID,
    body: HazardCancel,
    expected_version: int | None,
) -> HazardRead:
    """Step 13: false or duplicate; by whoever reported/registered it or a department."""
    hz = await repository.get_for_update(session, principal, hazard_id)
    if hz is None:
        raise not_found()
    registrant = principal.subject in (hz.reported_by, hz.registered_by)
    if not (registrant or principal.can("hazard:cancel")) or principal.role is Role.expert:
        raise Forbidden(
            "Only whoever reported or registered it, or a department, may cancel",
            "仅上报人、登记人或监管部门可撤销隐患",
            code="hazard_cancel_not_allowed",
        )
    check_version(expected_version, hz.version)
    check_transition(hz, "cancel")
    before = snapshot(hz, ("cancelled_at", "cancel_reason", "status"))
    hz.cancelled_at, hz.cancel_reason = utcnow(), body.reason
    frm = move(hz, "cancel")
    return await finish_step(
        session,
        principal,
        hz,
        "cancel",
        frm,
        body,
        before,
        ("cancelled_at", "cancel_reason", "status"),
        reason=body.reason,
    )


async def link_relapse(
    session: AsyncSession,
    principal: Principal,
    hazard_id: uuid.UUID,
    relapse_of_id: uuid.UUID,
    expected_version: int | None,
    body: HazardLinkRelapse | None = None,
) -> HazardRead:
    """Step 14: a look-back found the closed hazard ``relapse_of_id`` again as ``hazard_id``."""
    hz = await locked(session, principal, hazard_id, "link_relapse", expected_version)
    if hz.relapse_of_id is not None:
        raise conflict(
            "hazard_relapse_already_linked", "The hazard is already linked", "该隐患已关联原隐患"
        )
    await check_relapse_target(session, principal, relapse_of_id, hz.enterprise_id, hz.id)
    before = snapshot(hz, ("relapse_of_id",))
    hz.relapse_of_id = relapse_of_id
    result = await finish_step(
        session,
        principal,
        hz,
        "link_relapse",
        hz.status,
        body,
        before,
        ("relapse_of_id",),
        relapse_of_id=relapse_of_id,
    )
    await note_relapse_on_old(session, principal, relapse_of_id, hz)
    return result


async def assign_experts(
    session: AsyncSession,
    principal: Principal,
    hazard_id: uuid.UUID,
    body: HazardAssignExperts,
    expected_version: int | None,
) -> HazardRead:
    """Experts assigned to a hazard see it and may accept it (or reject the acceptance)."""
    hz = await locked(session, principal, hazard_id, "assign_experts", expected_version)
    known = await repository.existing_experts(session, body.expert_ids)
    missing = [str(i) for i in body.expert_ids if i not in known]
    if missing:
        raise Unprocessable.field(
            ["body", "expert_ids"],
            f"Unknown people: {', '.join(missing)}",
            "person_unknown",
            "专家不存在",
            code="person_unknown",
        )
    before = snapshot(hz, ("assigned_expert_ids",))
    hz.assigned_expert_ids = sorted(set(hz.assigned_expert_ids) | set(body.expert_ids), key=str)
    return await finish_step(
        session,
        principal,
        hz,
        "assign_experts",
        hz.status,
        body,
        before,
        ("assigned_expert_ids",),
        expert_ids=list(body.expert_ids),
    )
