"""Shared hazard rules: reading, locking, the transition table, who may act, one step's writes."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import audit_row, diff
from app.auth.principal import Principal, Role
from app.auth.scope import require
from app.core.clock import today_china, utcnow
from app.core.concurrency import check_version
from app.core.enums import zh_label, zh_labels
from app.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from app.core.ids import new_id
from app.core.plain import plain
from app.core.rows import insert_together
from app.events.outbox import outbox_row
from app.hazards import repository
from app.hazards.enums import TERMINAL, HazardSource, HazardStatus, ProductionOrder
from app.hazards.schemas import ActionBase, HazardRead
from app.hazards.service.reads import RESOURCE, to_read
from app.models.audit import AuditEvent, OutboxEvent
from app.models.hazard import Hazard, HazardDeadline, HazardEvent

S = HazardStatus
OPEN_STATUSES = frozenset(HazardStatus) - TERMINAL


@dataclass(frozen=True)
class Transition:
    allowed_from: frozenset[HazardStatus]
    to: HazardStatus | None  # None: the status stays
    rule: str  # the 409 code when the hazard is in another status
    permission: str  # what a government role needs
    enterprise: bool  # may an enterprise user take it (on its own hazards)
    expert: bool = False  # may an assigned expert take it


def _t(
    frm: Iterable[HazardStatus],
    to: HazardStatus | None,
    rule: str,
    permission: str,
    enterprise: bool,
    expert: bool = False,
) -> Transition:
    return Transition(frozenset(frm), to, rule, permission, enterprise, expert)


_RECTIFYING = (S.rectifying, S.escalated)
# The lifecycle table (domain.md, Hazards), one row per action.
TRANSITIONS: dict[str, Transition] = {
    "register": _t([S.reported], S.registered, "hazard_not_reported", "hazard:register", True),
    "regrade": _t([S.registered], None, "hazard_not_registered", "hazard:register", False),
    "regrade_major": _t(
        [S.rectifying, S.extension_requested, S.escalated, S.pending_verification],
        S.planning,
        "hazard_not_in_rectification",
        "hazard:register",
        False,
    ),
    "fix_on_spot": _t(
        [S.registered], S.pending_verification, "hazard_not_registered", "hazard:manage", True
    ),
    "order_rectification": _t(
        [S.registered], S.rectifying, "hazard_not_registered", "hazard:manage", True
    ),
    "report_major": _t([S.registered], S.planning, "hazard_not_registered", "hazard:manage", True),
    "list": _t(
        [S.planning, S.rectifying, S.extension_requested, S.escalated],
        None,
        "hazard_not_in_treatment",
        "hazard:list",
        False,
    ),
    "submit_plan": _t([S.planning], S.rectifying, "hazard_not_planning", "hazard:manage", True),
    "report_progress": _t(_RECTIFYING, None, "hazard_not_rectifying", "hazard:manage", True),
    "request_extension": _t(
        [S.rectifying], S.extension_requested, "hazard_not_rectifying", "hazard:manage", True
    ),
    "approve_extension": _t(
        [S.extension_requested],
        S.rectifying,
        "hazard_no_extension_requested",
        "hazard:decide",
        False,
    ),
    "reject_extension": _t(
        [S.extension_requested],
        S.rectifying,
        "hazard_no_extension_requested",
        "hazard:decide",
        False,
    ),
    "declare_completion": _t(
        _RECTIFYING, S.pending_verification, "hazard_not_rectifying", "hazard:manage", True
    ),
    "accept": _t(
        [S.pending_verification],
        S.closed,
        "hazard_not_pending_verification",
        "hazard:accept",
        True,
        expert=True,
    ),
    "reject_acceptance": _t(
        [S.pending_verification],
        S.rectifying,
        "hazard_not_pending_verification",
        "hazard:accept",
        False,
        expert=True,
    ),
    "escalate": _t(_RECTIFYING, S.escalated, "hazard_not_rectifying", "hazard:escalate", False),
    "cancel": _t(OPEN_STATUSES, S.cancelled, "hazard_not_open", "hazard:cancel", True),
    "link_relapse": _t(OPEN_STATUSES, None, "hazard_not_open", "hazard:report", False),
    "assign_experts": _t(OPEN_STATUSES, None, "hazard_not_open", "hazard:decide", False),
}

# Enterprise actions allowed only on hazards the enterprise found itself.
_SELF_FOUND_ONLY = {"register", "order_rectification", "accept"}


def not_found() -> NotFound:
    return NotFound("Hazard not found", "事故隐患不存在", code="hazard_not_found")


def require_stop_order_document(order: ProductionOrder, document: str | None) -> None:
    """A stop order (停产停业) is decided by a document: its number comes with the order."""
    if order is not ProductionOrder.none and not document:
        raise Unprocessable.field(
            ["body", "production_order_document"],
            "A stop order needs its document",
            "missing",
            "停产停业须有决定文书",
            code="production_order_document_required",
        )


def conflict(code: str, en: str, zh: str) -> Conflict:
    return Conflict(en, zh, code=code)


async def read(session: AsyncSession, principal: Principal, hazard_id: uuid.UUID) -> HazardRead:
    row = await repository.get_row(session, principal, hazard_id)
    if row is None:
        raise not_found()
    return to_read(row, principal)


def authorize(principal: Principal, hz: Hazard, action: str) -> Transition:
    """Role rules for an action (scope was already applied when the row was loaded)."""
    rule = TRANSITIONS[action]
    if principal.role is Role.enterprise_user:
        if not rule.enterprise:
            raise Forbidden(
                f"Enterprise users cannot {action} a hazard",
                f"企业用户无权执行该操作（{action}）",
                code="hazard_action_not_for_enterprise",
            )
        require(principal, "hazard:report" if action == "cancel" else "hazard:self_manage")
        if action in _SELF_FOUND_ONLY and hz.source != HazardSource.self_inspection.value:
            raise Forbidden(
                "Only hazards the enterprise found itself allow this",
                "仅企业自查发现的隐患可由企业执行该操作",
                code="hazard_not_self_found",
            )
        return rule
    if principal.role is Role.expert and not rule.expert:
        raise Forbidden(
            f"Experts cannot {action} a hazard",
            f"专家无权执行该操作（{action}）",
            code="hazard_action_not_for_expert",
        )
    require(principal, rule.permission)
    return rule


def check_transition(hz: Hazard, action: str) -> None:
    rule = TRANSITIONS[action]
    if HazardStatus(hz.status) not in rule.allowed_from:
        values = sorted(s.value for s in rule.allowed_from)
        raise conflict(
            rule.rule,
            f"A hazard that is {hz.status} cannot {action} (allowed from: {', '.join(values)})",
            f"隐患当前状态为{zh_label('hazard_status', hz.status)}，不能执行"
            f"「{zh_label('hazard_action', action)}」；允许的状态："
            f"{zh_labels('hazard_status', values)}",
        )


async def locked(
    session: AsyncSession,
    principal: Principal,
    hazard_id: uuid.UUID,
    action: str,
    expected_version: int | None,
) -> Hazard:
    """Load for update within scope (404), check role (403), version (412), transition (409)."""
    hz = await repository.get_for_update(session, principal, hazard_id)
    if hz is None:
        raise not_found()
    authorize(principal, hz, action)
    check_version(expected_version, hz.version)
    check_transition(hz, action)
    return hz


async def check_attachments(
    session: AsyncSession, hz: Hazard, ids: list[uuid.UUID]
) -> list[dict[str, Any]]:
    found = await repository.attachments_of(session, hz.id, ids)
    missing = set(ids) - {a["id"] for a in found}
    if missing:
        raise Unprocessable.field(
            ["body", "attachment_ids"],
            "Attachments must be uploaded to this hazard first",
            "attachment_unknown",
            "附件须先上传至该隐患",
            code="attachment_unknown",
        )
    return found


def snapshot(hz: Hazard, fields: Iterable[str]) -> dict[str, Any]:
    return {f: getattr(hz, f) for f in fields}


def add_deadline(
    session: AsyncSession,
    principal: Principal,
    hz: Hazard,
    new: Any,
    reason: str,
    event_id: uuid.UUID,
) -> None:
    if new == hz.deadline:
        return
    session.add(
        HazardDeadline(
            id=new_id(),
            hazard_id=hz.id,
            deadline=new,
            previous_deadline=hz.deadline,
            reason=reason,
            set_by=principal.subject,
            event_id=event_id,
        )
    )
    hz.deadline = new


async def finish_step(
    session: AsyncSession,
    principal: Principal,
    hz: Hazard,
    action: str,
    from_status: str | None,
    body: ActionBase | None,
    before: Mapping[str, Any],
    after_fields: Iterable[str],
    event_id: uuid.UUID | None = None,
    new_code: tuple[str, int] | None = None,
    **data: Any,
) -> HazardRead:
    """Flush, then the timeline row, the audit row and the outbox event for one step.

    ``new_code`` (county, year: a new hazard) takes the hazard's gapless code in that same last
    statement: taking a number locks the county's counter until commit, so only that statement
    and the commit remain in the window (``repository.insert_created``)."""
    await repository.save_step(session, hz)
    location = body.location if body is not None else None
    event = {
        "id": event_id or new_id(),
        "hazard_id": hz.id,
        "occurred_at": utcnow(),
        "action": action,
        "from_status": from_status,
        "to_status": hz.status,
        "actor_subject": principal.subject,
        "actor_role": principal.role.value,
        "actor_person_id": principal.person_id,
        "actor_department_id": principal.department_id,
        "actor_enterprise_id": principal.enterprise_id,
        "actor_region_code": principal.region_code,
        "comment": body.comment if body is not None else None,
        "document_numbers": list(body.document_numbers) if body is not None else [],
        "lat": location.lat if location else None,
        "lon": location.lon if location else None,
        "attachment_ids": list(body.attachment_ids) if body is not None else [],
        "data": _plain(data),
        "hazard_version": hz.version,
    }
    audit = audit_row(
        principal,
        action=action,
        resource_type=RESOURCE,
        resource_id=hz.id,
        changes=diff(before, snapshot(hz, after_fields)),
        region_code=hz.region_code,
    )
    outbox = outbox_row(
        f"hazard.{EVENT_NAMES[action]}",
        resource_type=RESOURCE,
        resource_id=hz.id,
        data={
            "status": hz.status,
            "version": hz.version,
            "code": hz.code,
            "level": hz.level,
            **_plain(data),
        },
        region_code=hz.region_code,
        sectors=list(hz.sectors),
        enterprise_id=hz.enterprise_id,
    )
    if new_code is not None:
        await repository.insert_created(session, hz, *new_code, (event, audit, outbox))
    else:  # the timeline row, the audit row and the outbox event in one statement
        rows = (HazardEvent, event), (AuditEvent, audit), (OutboxEvent, outbox)
        await insert_together(session, *rows)
    return to_read(repository.row_of(hz), principal)


EVENT_NAMES = {
    "report": "created",
    "update": "updated",
    "register": "registered",
    "regrade": "regraded",
    "regrade_major": "regraded_major",
    "fix_on_spot": "fixed_on_spot",
    "order_rectification": "rectification_ordered",
    "report_major": "major_reported",
    "list": "listed",
    "submit_plan": "plan_submitted",
    "report_progress": "progress_reported",
    "request_extension": "extension_requested",
    "approve_extension": "extension_approved",
    "reject_extension": "extension_rejected",
    "declare_completion": "completion_declared",
    "accept": "accepted",
    "reject_acceptance": "acceptance_rejected",
    "escalate": "escalated",
    "cancel": "cancelled",
    "link_relapse": "relapse_linked",
    "assign_experts": "experts_assigned",
    "relapse_found": "relapse_found",
}


def _plain(data: Mapping[str, Any]) -> dict[str, Any]:
    out = plain(dict(data))
    return out if isinstance(out, dict) else {}


def move(hz: Hazard, action: str) -> str:
    """Apply the action's target status (if any); returns the status it left."""
    before = hz.status
    target = TRANSITIONS[action].to
    if target is not None:
        hz.status = target.value
    return before


def future_date(value: date, field: str) -> None:
    if value < today_china():
        raise Unprocessable.field(
            ["body", field],
            "The date is in the past",
            "date_in_past",
            "日期早于今天",
            code="date_in_past",
        )
