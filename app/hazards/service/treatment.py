"""Lifecycle steps 6–8: the treatment plan of a major hazard, progress reports, extensions."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.config import Settings
from app.core.clock import today_china, utcnow
from app.core.errors import Unprocessable
from app.core.ids import new_id
from app.hazards.schemas import (
    HazardExtensionApprove,
    HazardExtensionReject,
    HazardExtensionRequest,
    HazardPlanSubmit,
    HazardProgress,
    HazardRead,
)
from app.hazards.service.common import (
    add_deadline,
    check_attachments,
    conflict,
    finish_step,
    future_date,
    locked,
    move,
    snapshot,
)

PLAN = (
    "plan_goals_tasks",
    "plan_methods_measures",
    "plan_funds_materials",
    "plan_organisation_people",
    "plan_time_requirements",
    "plan_safety_emergency",
)
_PLAN_ALL = (
    *PLAN,
    "plan_submitted_at",
    "deadline",
    "responsible_person",
    "responsible_unit",
    "funds",
    "status",
)
_EXTENSION = ("extension_requested_deadline", "extension_reason", "deadline", "status")


async def submit_plan(
    session: AsyncSession,
    principal: Principal,
    hazard_id: uuid.UUID,
    body: HazardPlanSubmit,
    expected_version: int | None,
) -> HazardRead:
    """Step 6: planning → rectifying, only with all six plan elements and a deadline."""
    hz = await locked(session, principal, hazard_id, "submit_plan", expected_version)
    before = snapshot(hz, _PLAN_ALL)
    for name in PLAN:
        value = getattr(body, name)
        if value is not None:
            setattr(hz, name, value)
    missing = [name for name in PLAN if not (getattr(hz, name) or "").strip()]
    if missing:
        raise conflict(
            "hazard_plan_incomplete",
            f"The treatment plan lacks: {', '.join(missing)}",
            "治理方案六要素不全：" + "、".join(missing),
        )
    deadline = body.deadline or hz.deadline
    if deadline is None:
        raise conflict(
            "hazard_deadline_required",
            "The plan needs a time limit (deadline)",
            "治理方案须明确治理时限",
        )
    future_date(deadline, "deadline")
    if body.responsible_person is not None:
        hz.responsible_person = body.responsible_person.model_dump()
    if body.responsible_unit is not None:
        hz.responsible_unit = body.responsible_unit
    if body.funds is not None:
        hz.funds = body.funds
    hz.plan_submitted_at = utcnow()
    event_id = new_id()
    add_deadline(session, principal, hz, deadline, "plan", event_id)
    frm = move(hz, "submit_plan")
    return await finish_step(
        session,
        principal,
        hz,
        "submit_plan",
        frm,
        body,
        before,
        _PLAN_ALL,
        event_id,
        deadline=deadline,
    )


async def report_progress(
    session: AsyncSession,
    principal: Principal,
    hazard_id: uuid.UUID,
    body: HazardProgress,
    expected_version: int | None,
) -> HazardRead:
    """Step 7: a progress report while rectifying (listed hazards: every interval)."""
    hz = await locked(session, principal, hazard_id, "report_progress", expected_version)
    await check_attachments(session, hz, list(body.attachment_ids))
    before = snapshot(hz, ("last_progress_at",))
    hz.last_progress_at = utcnow()
    return await finish_step(
        session, principal, hz, "report_progress", hz.status, body, before, ("last_progress_at",)
    )


async def request_extension(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    hazard_id: uuid.UUID,
    body: HazardExtensionRequest,
    expected_version: int | None,
) -> HazardRead:
    """Step 8: asked before the deadline (lead time from settings)."""
    hz = await locked(session, principal, hazard_id, "request_extension", expected_version)
    if hz.deadline is None or body.requested_deadline <= hz.deadline:
        raise Unprocessable.field(
            ["body", "requested_deadline"],
            "The requested deadline must be later than the current one",
            "not_later",
            "申请的期限须晚于当前期限",
            code="extension_not_later",
        )
    latest = hz.deadline - timedelta(days=settings.hazard_extension_lead_days)
    if today_china() > latest:
        raise conflict(
            "hazard_extension_too_late",
            f"An extension must be asked by {latest.isoformat()} "
            f"({settings.hazard_extension_lead_days} days before the deadline)",
            f"延期申请须在 {latest.isoformat()} 前提出",
        )
    before = snapshot(hz, _EXTENSION)
    hz.extension_requested_deadline, hz.extension_reason = body.requested_deadline, body.reason
    frm = move(hz, "request_extension")
    return await finish_step(
        session,
        principal,
        hz,
        "request_extension",
        frm,
        body,
        before,
        _EXTENSION,
        requested_deadline=body.requested_deadline,
        reason=body.reason,
    )


async def approve_extension(
    session: AsyncSession,
    principal: Principal,
    hazard_id: uuid.UUID,
    body: HazardExtensionApprove,
    expected_version: int | None,
) -> HazardRead:
    """Step 8: the issuing unit approves; the new deadline is a new version."""
    hz = await locked(session, principal, hazard_id, "approve_extension", expected_version)
    new = body.deadline or hz.extension_requested_deadline
    assert new is not None
    future_date(new, "deadline")
    before = snapshot(hz, _EXTENSION)
    event_id = new_id()
    add_deadline(session, principal, hz, new, "extension", event_id)
    hz.extension_requested_deadline = hz.extension_reason = None
    frm = move(hz, "approve_extension")
    return await finish_step(
        session,
        principal,
        hz,
        "approve_extension",
        frm,
        body,
        before,
        _EXTENSION,
        event_id,
        deadline=new,
    )


async def reject_extension(
    session: AsyncSession,
    principal: Principal,
    hazard_id: uuid.UUID,
    body: HazardExtensionReject,
    expected_version: int | None,
) -> HazardRead:
    """Step 8: rejected; the deadline stays."""
    hz = await locked(session, principal, hazard_id, "reject_extension", expected_version)
    before = snapshot(hz, _EXTENSION)
    hz.extension_requested_deadline = hz.extension_reason = None
    frm = move(hz, "reject_extension")
    return await finish_step(
        session,
        principal,
        hz,
        "reject_extension",
        frm,
        body,
        before,
        _EXTENSION,
        reason=body.reason,
    )
