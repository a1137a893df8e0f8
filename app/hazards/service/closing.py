"""Lifecycle steps 9–12: completion, acceptance (销号) or its rejection, escalation."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal, Role
from app.config import Settings
from app.core.clock import today_china, utcnow
from app.core.errors import Forbidden, Unprocessable
from app.core.ids import new_id
from app.enterprises import repository as enterprises
from app.enterprises.service import apply_status
from app.hazards import repository
from app.hazards.enums import EscalationGrounds, EscalationMeasure, HazardLevel, ProductionOrder
from app.hazards.schemas import (
    HazardAccept,
    HazardCompletion,
    HazardEscalate,
    HazardRead,
    HazardRejectAcceptance,
)
from app.hazards.service.common import (
    add_deadline,
    check_attachments,
    conflict,
    finish_step,
    locked,
    move,
    snapshot,
)
from app.models.enterprise import Enterprise
from app.models.hazard import Hazard
from app.reference.enums import EnterpriseStatus

_COMPLETION = ("completed_at", "completion_note", "assessment", "resumption_application", "status")
_ACCEPT = (
    "acceptance",
    "closed_at",
    "resumption_approved_at",
    "resumption_document_number",
    "status",
)
_ESCALATE = (
    "escalation_measures",
    "escalated_at",
    "fine_amount",
    "production_order",
    "production_order_document",
    "status",
)


def _suspended(hz: Hazard) -> bool:
    return hz.production_order != ProductionOrder.none.value


async def declare_completion(
    session: AsyncSession,
    principal: Principal,
    hazard_id: uuid.UUID,
    body: HazardCompletion,
    expected_version: int | None,
) -> HazardRead:
    """Step 9: completion with evidence; major: assessment; suspended major: application."""
    hz = await locked(session, principal, hazard_id, "declare_completion", expected_version)
    if not body.attachment_ids:
        raise conflict(
            "hazard_evidence_required",
            "Completion needs evidence (attachments)",
            "申报整改完成须附整改证明材料",
        )
    await check_attachments(session, hz, list(body.attachment_ids))
    if hz.level == HazardLevel.major.value:
        if body.assessment is None:
            raise conflict(
                "hazard_assessment_required",
                "A major hazard needs an assessment by experts or an agency",
                "重大事故隐患治理完成须经专家或评估机构评估",
            )
        if _suspended(hz) and not body.resumption_application:
            raise conflict(
                "hazard_resumption_application_required",
                "A suspended major hazard needs a written application to resume",
                "停产停业治理的重大隐患须提交复产申请",
            )
    before = snapshot(hz, _COMPLETION)
    hz.completed_at, hz.completion_note = utcnow(), body.note
    hz.assessment = body.assessment.model_dump(mode="json") if body.assessment else None
    hz.resumption_application = body.resumption_application
    frm = move(hz, "declare_completion")
    return await finish_step(
        session, principal, hz, "declare_completion", frm, body, before, _COMPLETION
    )


async def _enterprise(session: AsyncSession, principal: Principal, hz: Hazard) -> Enterprise:
    ent = await enterprises.get_for_update(session, principal, hz.enterprise_id)
    if ent is None:  # the hazard is in scope through its own sector: the unit follows it
        ent = await enterprises.get_any(session, hz.enterprise_id)
    assert ent is not None
    return ent


async def accept_hazard(
    session: AsyncSession,
    principal: Principal,
    hazard_id: uuid.UUID,
    body: HazardAccept,
    expected_version: int | None,
) -> HazardRead:
    """Step 10: acceptance passes and the hazard is closed (销号)."""
    hz = await locked(session, principal, hazard_id, "accept", expected_version)
    major = hz.level == HazardLevel.major.value
    if major and principal.role is Role.enterprise_user:
        raise Forbidden(
            "A major hazard is accepted by the department and experts",
            "重大事故隐患须由监管部门组织专家验收",
            code="hazard_major_acceptance_by_department",
        )
    accepted_on = body.accepted_on or today_china()
    if major and not body.experts:
        raise conflict(
            "hazard_acceptance_record_required",
            "Closing a major hazard needs an acceptance record (experts, date, opinion)",
            "重大事故隐患销号须有验收记录（专家、日期、意见）",
        )
    resume = False
    if major and _suspended(hz):
        if not (body.resumption_approved and body.resumption_document_number):
            raise conflict(
                "hazard_resumption_not_approved",
                "A suspended major hazard closes only with resumption approved",
                "停产停业的重大隐患须经批准复产后方可销号",
            )
        resume = True
    before = snapshot(hz, _ACCEPT)
    hz.acceptance = {
        "experts": list(body.experts),
        "on": accepted_on.isoformat(),
        "opinion": body.opinion,
        "accepted_by": principal.subject,
    }
    hz.closed_at = utcnow()
    if resume:
        hz.resumption_approved_at = utcnow()
        hz.resumption_document_number = body.resumption_document_number
        ent = await _enterprise(session, principal, hz)
        if ent.status == EnterpriseStatus.suspended.value:
            await apply_status(
                session,
                principal,
                ent,
                "resume",
                "Major hazard accepted",
                body.resumption_document_number or "",
            )
    frm = move(hz, "accept")
    event_id, snapshot_id = await _responsibility_snapshot(session, principal, hz, "closed")
    read = await finish_step(
        session,
        principal,
        hz,
        "accept",
        frm,
        body,
        before,
        _ACCEPT,
        event_id=event_id,
        opinion=body.opinion,
        experts=list(body.experts),
        accepted_on=accepted_on,
        responsibility_snapshot_id=snapshot_id,
    )
    if major:
        # A closed major hazard is re-checked later (回头看): plan the look-back visit now.
        from app.visits.service.followup import schedule_lookback  # import cycle

        await schedule_lookback(session, principal, hz)
    return read


async def reject_acceptance(
    session: AsyncSession,
    principal: Principal,
    hazard_id: uuid.UUID,
    body: HazardRejectAcceptance,
    expected_version: int | None,
) -> HazardRead:
    """Step 11: acceptance fails, with reasons; back to rectifying (optionally a new deadline)."""
    hz = await locked(session, principal, hazard_id, "reject_acceptance", expected_version)
    before = snapshot(hz, ("completed_at", "deadline", "status"))
    event_id = new_id()
    if body.deadline is not None:
        if body.deadline < today_china():
            raise Unprocessable.field(
                ["body", "deadline"],
                "The date is in the past",
                "date_in_past",
                "日期早于今天",
                code="date_in_past",
            )
        add_deadline(session, principal, hz, body.deadline, "re_rectification", event_id)
    hz.completed_at = None
    frm = move(hz, "reject_acceptance")
    return await finish_step(
        session,
        principal,
        hz,
        "reject_acceptance",
        frm,
        body,
        before,
        ("completed_at", "deadline", "status"),
        event_id,
        reason=body.reason,
    )


async def escalate_hazard(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    hazard_id: uuid.UUID,
    body: HazardEscalate,
    expected_version: int | None,
) -> HazardRead:
    """Step 12: overdue or refused → fine, suspension, power cut notice, request for closure."""
    hz = await locked(session, principal, hazard_id, "escalate", expected_version)
    today = today_china()
    if body.grounds is EscalationGrounds.overdue and not (hz.deadline and hz.deadline < today):
        raise conflict(
            "hazard_not_overdue",
            "The deadline has not passed",
            "整改期限未届满，不能以逾期为由升级处置",
        )
    if body.measure is EscalationMeasure.fine and body.fine_amount is None:
        raise Unprocessable.field(
            ["body", "fine_amount"],
            "A fine needs its amount",
            "missing",
            "罚款须填写金额",
            code="fine_amount_required",
        )
    extra: dict[str, Any] = {
        "measure": body.measure,
        "grounds": body.grounds,
        "document_number": body.document_number,
        "reason": body.reason,
    }
    if body.measure is EscalationMeasure.closure_request:
        if hz.level != HazardLevel.major.value:
            raise conflict(
                "hazard_closure_needs_major",
                "Closure can be requested only for a major hazard",
                "仅重大事故隐患可提请关闭",
            )
        now = utcnow()
        in_180 = await repository.penalties_since(
            session, hz.enterprise_id, now - timedelta(days=180)
        )
        in_365 = await repository.penalties_since(
            session, hz.enterprise_id, now - timedelta(days=365)
        )
        if (
            in_180 < settings.hazard_closure_penalties_180d
            and in_365 < settings.hazard_closure_penalties_365d
        ):
            raise conflict(
                "hazard_closure_threshold_not_met",
                f"Closure needs {settings.hazard_closure_penalties_180d} penalties in "
                f"180 days or {settings.hazard_closure_penalties_365d} in a year "
                f"(found {in_180} and {in_365})",
                "提请关闭须180日内受到3次或一年内4次行政处罚",
            )
        extra.update(penalties_180d=in_180, penalties_365d=in_365)
    before = snapshot(hz, _ESCALATE)
    if body.measure is EscalationMeasure.fine:
        hz.fine_amount = (hz.fine_amount or Decimal(0)) + (body.fine_amount or Decimal(0))
        extra["fine_amount"] = body.fine_amount
    if body.measure is EscalationMeasure.power_cut_notice:
        extra["effective_at"] = utcnow() + timedelta(hours=settings.hazard_power_cut_notice_hours)
    if body.measure in (EscalationMeasure.suspension, EscalationMeasure.closure_request):
        ent = await _enterprise(session, principal, hz)
        action, target = (
            ("suspend", EnterpriseStatus.suspended)
            if body.measure is EscalationMeasure.suspension
            else ("close", EnterpriseStatus.closed)
        )
        if ent.status != target.value:
            await apply_status(session, principal, ent, action, body.reason, body.document_number)
        if body.measure is EscalationMeasure.suspension:
            hz.production_order = ProductionOrder.full_stop.value
            hz.production_order_document = body.document_number
    hz.escalation_measures = [*hz.escalation_measures, body.measure.value]
    hz.escalated_at = utcnow()
    frm = move(hz, "escalate")
    event_id, snapshot_id = await _responsibility_snapshot(session, principal, hz, "escalated")
    return await finish_step(
        session,
        principal,
        hz,
        "escalate",
        frm,
        body,
        before,
        _ESCALATE,
        event_id=event_id,
        responsibility_snapshot_id=snapshot_id,
        **extra,
    )


async def _responsibility_snapshot(
    session: AsyncSession, principal: Principal, hz: Hazard, reason: str
) -> tuple[uuid.UUID, uuid.UUID]:
    """Accountability looks back to who was responsible when the hazard was escalated or
    closed: freeze the chain, linked to the timeline event about to be written."""
    from app.responsibility.chain import store_snapshot  # import cycle

    event_id = new_id()
    snapshot_id = await store_snapshot(
        session, hz.id, reason, event_id=event_id, principal=principal
    )
    return event_id, snapshot_id
