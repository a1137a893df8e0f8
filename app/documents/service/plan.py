"""A major hazard's treatment plan (重大事故隐患治理方案) as printed: the six elements of
原安监总局16号令 Art 15, with the hazard, its listing and the unit."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.core.clock import CHINA_TZ, utcnow
from app.core.errors import Conflict
from app.core.pdf import PrintDocument, Section, Signature, chinese_date, text
from app.documents import repository
from app.documents.service.common import head_at, label, unit_parties
from app.hazards import service as hazards_service
from app.hazards.enums import HazardLevel
from app.hazards.schemas import HazardRead

SIX_ELEMENTS = (
    ("一、治理的目标和任务", "plan_goals_tasks"),
    ("二、采取的方法和措施", "plan_methods_measures"),
    ("三、经费和物资的落实", "plan_funds_materials"),
    ("四、负责治理的机构和人员", "plan_organisation_people"),
    ("五、治理的时限和要求", "plan_time_requirements"),
    ("六、安全措施和应急预案", "plan_safety_emergency"),
)


async def treatment_plan(
    session: AsyncSession, principal: Principal, hazard_id: uuid.UUID
) -> tuple[PrintDocument, HazardRead]:
    """The printable plan, scoped like the hazard's JSON read; 409 without a plan."""
    hz = await hazards_service.get_hazard(session, principal, hazard_id)
    if hz.level is not HazardLevel.major:
        raise Conflict(
            "Only a major hazard has a treatment plan",
            "只有重大事故隐患需要制定治理方案",
            code="hazard_not_major",
        )
    if not any(getattr(hz, f) for _, f in SIX_ELEMENTS):
        raise Conflict(
            "This hazard has no treatment plan yet",
            "该隐患尚未制定治理方案",
            code="treatment_plan_missing",
        )
    ent = await repository.enterprise(session, hz.enterprise_id)
    at = hz.plan_submitted_at or utcnow()
    parties = await unit_parties(session, ent, at, unit_label="单位名称")
    rows = [
        ("隐患编号", hz.code),
        ("隐患名称", hz.title),
        ("隐患等级", "重大事故隐患"),
        ("行业领域", label(hz.sector)),
        ("隐患部位", hz.place or ""),
        ("隐患描述", hz.description or ""),
        ("治理期限", chinese_date(hz.deadline) if hz.deadline else ""),
        ("生产状态", label(hz.production_order)),
        (
            "方案提交时间",
            text(hz.plan_submitted_at) if hz.plan_submitted_at else "（草稿，未提交）",
        ),
    ]
    if hz.listing is not None:
        rows += [
            ("挂牌督办级别", label(hz.listing.level)),
            ("督办单位", hz.listing.issuing_unit or ""),
            ("督办通知文号", hz.listing.notice_number or ""),
        ]
    sections = [Section("重大事故隐患基本情况", [], rows)]
    sections += [Section(title, [getattr(hz, f) or "（未填写）"]) for title, f in SIX_ELEMENTS]
    head = await head_at(session, ent, at) if ent else None
    printed = PrintDocument(
        issuer=ent.name if ent else "",
        title="重大事故隐患治理方案",
        number=hz.code,
        parties=parties,
        sections=sections,
        signatures=[
            Signature("主要负责人（编制）", head, signed_at=text(hz.plan_submitted_at) or None),
            Signature("监管部门（审查意见）", None),
        ],
        seal_date=hz.plan_submitted_at.astimezone(CHINA_TZ).date()
        if hz.plan_submitted_at
        else None,
        notes=["本方案由生产经营单位主要负责人组织制定，报负有安全生产监督管理职责的部门备案。"],
        reference=str(hz.id),
        subject=f"重大事故隐患治理方案 {hz.code}",
    )
    return printed, hz
