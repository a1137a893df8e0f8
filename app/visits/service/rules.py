"""Planning rules of a visit: members, the hazards it is about, the shape of each type."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, Unprocessable
from app.models.enterprise import Enterprise
from app.visits import repository
from app.visits.enums import HAZARD_TYPES, MemberRole, VisitType
from app.visits.schemas import MemberIn, VisitCreate

# Which hazard status a hazard must have to be the subject of a look-back / acceptance visit.
_HAZARD_STATUS = {VisitType.lookback: "closed", VisitType.acceptance: "pending_verification"}


def check_members(visit_type: VisitType, members: list[MemberIn]) -> None:
    if visit_type is VisitType.self_inspection:
        return
    for i, member in enumerate(members):
        if member.role is MemberRole.inspector and not member.certificate_number:
            raise Unprocessable.field(
                ["body", "members", i, "certificate_number"],
                "An inspector needs a law-enforcement certificate number",
                "certificate_required",
                "执法检查人员须填写执法证号",
                code="certificate_required",
            )


async def check_hazards(
    session: AsyncSession, visit_type: VisitType, ent: Enterprise, hazard_ids: list[uuid.UUID]
) -> None:
    if visit_type not in HAZARD_TYPES:
        if hazard_ids:
            raise Unprocessable.field(
                ["body", "hazard_ids"],
                "Only look-back and acceptance visits name hazards",
                "hazards_not_allowed",
                "只有回头看和验收检查可指定隐患",
            )
        return
    if not hazard_ids:
        raise Unprocessable.field(
            ["body", "hazard_ids"],
            "Name the hazards this visit is about",
            "hazards_required",
            "请指定本次检查涉及的隐患",
            code="hazards_required",
        )
    found = await repository.hazards_brief(session, hazard_ids)
    wanted = _HAZARD_STATUS[visit_type]
    for i, hazard_id in enumerate(hazard_ids):
        hazard = found.get(hazard_id)
        if hazard is None or hazard["enterprise_id"] != ent.id:
            raise Unprocessable.field(
                ["body", "hazard_ids", i],
                "No such hazard at this unit",
                "hazard_not_found",
                "该单位没有此隐患",
                code="hazard_not_found",
            )
        if hazard["status"] != wanted:
            raise Conflict(
                f"Hazard {hazard_id} is {hazard['status']}; a {visit_type.value} "
                f"visit needs it {wanted}",
                f"隐患状态为 {hazard['status']}，不能纳入本次检查",
                code=f"{visit_type.value}_hazard_status",
            )


def check_shape(data: VisitCreate, lead: uuid.UUID | None) -> None:
    vt = data.type
    if vt is not VisitType.self_inspection and lead is None:
        raise Unprocessable.field(
            ["body", "lead_department_id"],
            "A visit needs a lead unit",
            "lead_required",
            "须指定牵头单位",
            code="lead_required",
        )
    if vt is VisitType.joint and not [d for d in data.participating_department_ids if d != lead]:
        raise Unprocessable.field(
            ["body", "participating_department_ids"],
            "A joint inspection needs other participating departments",
            "joint_needs_departments",
            "部门联查须有其他参与部门",
            code="joint_needs_departments",
        )
    if vt is VisitType.leader_led and not data.leading_official:
        raise Unprocessable.field(
            ["body", "leading_official"],
            "A leader-led inspection names its leading official",
            "leader_required",
            "须填写带队领导",
            code="leader_required",
        )
    if vt is VisitType.special_campaign and data.campaign_id is None:
        raise Unprocessable.field(
            ["body", "campaign_id"],
            "A campaign inspection belongs to a campaign",
            "campaign_required",
            "专项检查须关联专项行动",
            code="campaign_required",
        )
