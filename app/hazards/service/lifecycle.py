"""Lifecycle steps 2–5: register / re-grade, fix on the spot, order rectification, report a major
hazard and list it."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal, Role
from app.config import Settings
from app.core.clock import utcnow
from app.core.errors import Unprocessable
from app.core.ids import new_id
from app.hazards import repository
from app.hazards.enums import HazardLevel, TreatmentType
from app.hazards.schemas import (
    HazardFixOnSpot,
    HazardListingCreate,
    HazardOrderRectification,
    HazardRead,
    HazardRegister,
    HazardReportMajor,
)
from app.hazards.service.common import (
    add_deadline,
    check_attachments,
    conflict,
    finish_step,
    future_date,
    locked,
    move,
    require_stop_order_document,
    snapshot,
)
from app.models.hazard import Hazard

_GRADE = ("level", "treatment_type", "criteria_clause_ids", "expert_note", "status")
_ORDER = (
    "responsible_person",
    "responsible_unit",
    "deadline",
    "measures",
    "funds",
    "order_department_id",
    "order_document_number",
    "status",
)
_MAJOR = (
    "production_order",
    "production_order_document",
    "responsible_person",
    "responsible_unit",
    "status",
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


def _require_level(hz: Hazard, level: HazardLevel) -> None:
    if hz.level != level.value:
        raise conflict(
            f"hazard_not_{level.value}",
            f"Only a {level.value} hazard allows this",
            "隐患等级不符合该操作要求",
        )


async def _grade(
    session: AsyncSession,
    principal: Principal,
    hazard_id: uuid.UUID,
    body: HazardRegister,
    expected_version: int | None,
    action: str,
) -> HazardRead:
    hz = await locked(session, principal, hazard_id, action, expected_version)
    clauses = (
        list(body.criteria_clause_ids)
        if body.criteria_clause_ids is not None
        else list(hz.criteria_clause_ids)
    )
    unknown = await repository.unknown_clauses(session, clauses)
    if unknown:
        raise Unprocessable.field(
            ["body", "criteria_clause_ids"],
            "Unknown criteria clauses",
            "criteria_clause_unknown",
            "判定标准条款不存在",
            code="criteria_clause_unknown",
        )
    note = body.expert_note if body.expert_note is not None else hz.expert_note
    treatment = body.treatment_type
    if body.level is HazardLevel.major:
        if not clauses and not note:
            raise conflict(
                "hazard_major_needs_criteria",
                "A major hazard needs criteria clauses or an expert note",
                "重大事故隐患须有判定标准条款或专家意见",
            )
        if treatment is TreatmentType.immediate:
            raise conflict(
                "hazard_major_not_immediate",
                "A major hazard cannot be fixed on the spot",
                "重大事故隐患不能即查即改",
            )
        treatment = TreatmentType.by_deadline
    else:
        if clauses:
            raise conflict(
                "hazard_criteria_make_major",
                "A hazard matching a major-hazard criterion is major",
                "符合重大事故隐患判定标准条款的隐患应定为重大隐患",
            )
        if treatment is None:
            raise Unprocessable.field(
                ["body", "treatment_type"],
                "A general hazard needs a treatment type",
                "missing",
                "一般隐患须确定整改方式",
                code="treatment_type_required",
            )
    before = snapshot(hz, _GRADE)
    hz.level, hz.treatment_type = body.level.value, treatment.value
    hz.criteria_clause_ids, hz.expert_note = clauses, note
    if action == "register":
        hz.registered_by = principal.subject
    frm = move(hz, action)
    return await finish_step(session, principal, hz, action, frm, body, before, _GRADE)


async def register_hazard(
    session: AsyncSession,
    principal: Principal,
    hazard_id: uuid.UUID,
    body: HazardRegister,
    expected_version: int | None,
) -> HazardRead:
    """Step 2: reported → registered, with the level (and criteria) set."""
    return await _grade(session, principal, hazard_id, body, expected_version, "register")


async def regrade_hazard(
    session: AsyncSession,
    principal: Principal,
    hazard_id: uuid.UUID,
    body: HazardRegister,
    expected_version: int | None,
) -> HazardRead:
    """Step 2 again: a department re-grades a registered hazard."""
    return await _grade(session, principal, hazard_id, body, expected_version, "regrade")


async def fix_on_spot(
    session: AsyncSession,
    principal: Principal,
    hazard_id: uuid.UUID,
    body: HazardFixOnSpot,
    expected_version: int | None,
) -> HazardRead:
    """Step 3: a general immediate hazard fixed on the spot, with an after-photo."""
    hz = await locked(session, principal, hazard_id, "fix_on_spot", expected_version)
    if hz.level != HazardLevel.general.value or hz.treatment_type != TreatmentType.immediate:
        raise conflict(
            "hazard_not_general_immediate",
            "Only a general hazard to fix immediately can be fixed on the spot",
            "仅一般隐患且整改方式为即查即改时可现场整改",
        )
    files = await check_attachments(session, hz, list(body.attachment_ids))
    if not any(f["purpose"] == "after" and f["content_type"].startswith("image/") for f in files):
        raise conflict(
            "hazard_after_photo_required",
            "Fixing on the spot needs a photo after the fix (purpose=after)",
            "即查即改须上传整改后照片",
        )
    before = snapshot(hz, ("measures", "completed_at", "status"))
    if body.measures:
        hz.measures = body.measures
    hz.completed_at = utcnow()
    frm = move(hz, "fix_on_spot")
    return await finish_step(
        session,
        principal,
        hz,
        "fix_on_spot",
        frm,
        body,
        before,
        ("measures", "completed_at", "status"),
    )


async def order_rectification(
    session: AsyncSession,
    principal: Principal,
    hazard_id: uuid.UUID,
    body: HazardOrderRectification,
    expected_version: int | None,
) -> HazardRead:
    """Step 4: a rectification order (department) or an internal deadline (enterprise)."""
    hz = await locked(session, principal, hazard_id, "order_rectification", expected_version)
    if hz.level != HazardLevel.general.value or hz.treatment_type != TreatmentType.by_deadline:
        raise conflict(
            "hazard_not_general_by_deadline",
            "Only a general hazard to rectify by deadline can be ordered",
            "仅一般隐患且整改方式为限期整改时可下达整改",
        )
    future_date(body.deadline, "deadline")
    government = principal.role is not Role.enterprise_user
    if government and not body.order_document_number:
        raise Unprocessable.field(
            ["body", "order_document_number"],
            "A department's order needs its document number",
            "missing",
            "须填写责令限期整改指令书文号",
            code="order_document_number_required",
        )
    before = snapshot(hz, _ORDER)
    hz.responsible_person = body.responsible_person.model_dump()
    hz.responsible_unit, hz.measures = body.responsible_unit, body.measures
    if body.funds is not None:
        hz.funds = body.funds
    if government:
        hz.order_department_id = principal.department_id
        hz.order_document_number = body.order_document_number
    event_id = new_id()
    add_deadline(session, principal, hz, body.deadline, "order", event_id)
    frm = move(hz, "order_rectification")
    return await finish_step(
        session,
        principal,
        hz,
        "order_rectification",
        frm,
        body,
        before,
        _ORDER,
        event_id,
        deadline=body.deadline,
    )


async def report_major(
    session: AsyncSession,
    principal: Principal,
    hazard_id: uuid.UUID,
    body: HazardReportMajor,
    expected_version: int | None,
) -> HazardRead:
    """Step 5: a registered major hazard is reported to the regulator and goes to planning."""
    hz = await locked(session, principal, hazard_id, "report_major", expected_version)
    _require_level(hz, HazardLevel.major)
    require_stop_order_document(body.production_order, body.production_order_document)
    before = snapshot(hz, _MAJOR)
    hz.production_order = body.production_order.value
    hz.production_order_document = body.production_order_document
    if body.responsible_person is not None:
        hz.responsible_person = body.responsible_person.model_dump()
    if body.responsible_unit is not None:
        hz.responsible_unit = body.responsible_unit
    frm = move(hz, "report_major")
    return await finish_step(
        session,
        principal,
        hz,
        "report_major",
        frm,
        body,
        before,
        _MAJOR,
        production_order=body.production_order,
    )


async def list_hazard(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    hazard_id: uuid.UUID,
    body: HazardListingCreate,
    expected_version: int | None,
) -> HazardRead:
    """Step 5: supervised listing (挂牌督办) of a major hazard by a department or 安委办."""
    hz = await locked(session, principal, hazard_id, "list", expected_version)
    _require_level(hz, HazardLevel.major)
    if hz.listing_level is not None:
        raise conflict("hazard_already_listed", "The hazard is already listed", "该隐患已挂牌督办")
    before = snapshot(hz, repository.LISTING_FIELDS)
    hz.listing_level, hz.listing_issuing_unit = body.level.value, body.issuing_unit
    hz.listing_notice_number, hz.listing_plan_due_on = body.notice_number, body.plan_due_on
    hz.listing_progress_interval_days = (
        body.progress_interval_days or settings.hazard_listing_progress_interval_days
    )
    hz.listed_at = utcnow()
    return await finish_step(
        session,
        principal,
        hz,
        "list",
        hz.status,
        body,
        before,
        repository.LISTING_FIELDS,
        listing_level=body.level,
        notice_number=body.notice_number,
    )
