"""The on-site record (现场检查记录, Work Safety Law Art 68) as printed: who inspected what, when
and where, what was found and done, every signature with its image, or the head's refusal."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.config import Settings
from app.core.clock import utcnow
from app.core.pdf import PrintDocument, Section, Signature, text
from app.documents import repository
from app.documents.service.common import images, label, unit_parties
from app.visits.enums import MemberRole, SignerRole, VisitType
from app.visits.record_schemas import OnsiteRecordRead
from app.visits.service import record as record_service
from app.visits.service.common import get_visit

ARTICLE_68 = (
    "依据《中华人民共和国安全生产法》第六十八条，检查情况应当记录在案，由检查人员和被检查单位的"
    "负责人签字；被检查单位的负责人拒绝签字的，检查人员应当将情况记录在案，并向负有安全生产"
    "监督管理职责的部门报告。"
)


async def onsite_record(
    session: AsyncSession, settings: Settings, principal: Principal, visit_id: uuid.UUID
) -> tuple[PrintDocument, OnsiteRecordRead]:
    """The printable on-site record, scoped like its JSON read."""
    record = await record_service.get_record(session, principal, visit_id)
    visit = await get_visit(session, principal, visit_id)
    ent = await repository.enterprise(session, visit.enterprise_id)
    lead = await repository.department_names(
        session, [visit.lead_department_id, *visit.participating_department_ids]
    )
    issuer = lead.get(visit.lead_department_id, "检查组") if visit.lead_department_id else "检查组"
    members = {m.id: m for m in visit.members}
    inspectors = [m for m in visit.members if m.role is MemberRole.inspector]
    at = record.started_at or visit.started_at or utcnow()
    parties = await unit_parties(session, ent, at)
    parties += [
        ("检查场所", record.place or ""),
        ("检查时间", f"{text(record.started_at)} 至 {text(record.ended_at)}"),
        ("检查类型", label(VisitType(visit.type))),
        (
            "检查单位",
            "、".join(
                lead[d]
                for d in [visit.lead_department_id, *visit.participating_department_ids]
                if d in lead
            ),
        ),
        ("带队领导", visit.leading_official or ""),
        (
            "检查人员",
            "；".join(
                f"{m.name}（执法证号：{m.certificate_number}）" if m.certificate_number else m.name
                for m in inspectors
            ),
        ),
    ]
    failed = await repository.failed_items(session, visit_id)
    problems = [record.problems] if record.problems else []
    problems += [
        f"检查项 {f['code']} 不符合：{f['text']}" + (f"（{f['note']}）" if f["note"] else "")
        for f in failed
    ]
    sections = [
        Section("一、检查情况", [record.content or "（未填写）"]),
        Section("二、发现的问题", problems or ["未发现问题。"]),
        Section("三、处理情况", [record.handling or "（未填写）"]),
    ]
    pictures = await images(session, settings, [s.attachment_id for s in record.signatures])
    signatures = []
    for s in record.signatures:
        member = members.get(s.member_id) if s.member_id else None
        detail = (
            f"执法证号：{member.certificate_number}"
            if member is not None and member.certificate_number
            else None
        )
        signatures.append(
            Signature(
                label(s.signer_role),
                s.name,
                detail,
                signed_at=text(s.signed_at),
                image=pictures.get(s.attachment_id) if s.attachment_id else None,
                note=None if s.attachment_id else "（电子签署）",
            )
        )
    signed_members = {s.member_id for s in record.signatures}
    for m in inspectors:
        if m.id not in signed_members:
            cert = f"执法证号：{m.certificate_number}" if m.certificate_number else None
            signatures.append(
                Signature(label(SignerRole.inspector), m.name, cert, note="（未签署）")
            )
    if record.head_refused:
        signatures.append(
            Signature(
                label(SignerRole.unit_head),
                None,
                note=f"拒绝签字。{record.refusal_note or ''}",
            )
        )
    elif not any(s.signer_role is SignerRole.unit_head for s in record.signatures):
        signatures.append(Signature(label(SignerRole.unit_head), None, note="（未签署）"))
    printed = PrintDocument(
        issuer=issuer,
        title="现场检查记录",
        number=f"状态：{label(record.status)}",
        addressee=None,
        parties=parties,
        sections=sections,
        signatures=signatures,
        seal=False,
        notes=[ARTICLE_68],
        reference=str(visit_id),
        subject=f"现场检查记录 {ent.name if ent else ''}",
    )
    return printed, record
