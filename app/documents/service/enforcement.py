"""Enforcement documents (执法文书) as printed: one layout, a text per kind."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.config import Settings
from app.core.pdf import PrintDocument, Section, Signature, chinese_date
from app.documents import repository
from app.documents.service.common import (
    APPEAL_NOTICE,
    end_of,
    head_at,
    label,
    money,
    unit_parties,
)
from app.models.hazard import Hazard
from app.visits.enums import DocumentKind
from app.visits.record_schemas import DocumentRead
from app.visits.service import documents as documents_service

K = DocumentKind


@dataclass(frozen=True)
class KindText:
    title: str
    facts_intro: str
    decision: Callable[[DocumentRead], str]
    notes: tuple[str, ...] = (APPEAL_NOTICE,)
    unit_signs: bool = True  # the unit's head signs for receipt (签收)


def _due(doc: DocumentRead) -> str:
    return chinese_date(doc.due_on) if doc.due_on else "规定期限"


KINDS: dict[DocumentKind, KindText] = {
    K.rectification_order: KindText(
        "责令限期整改指令书",
        "经查，你单位存在下列问题（事故隐患）：",
        lambda d: (
            f"依据{d.legal_basis}的规定，现责令你单位于{_due(d)}前整改完毕，达到有关法律"
            "法规规章和标准规定的要求。整改期间，你单位应当采取措施，确保安全生产。"
        ),
        (
            "对逾期未整改或者整改不合格的，将依法予以处理；由此造成事故的，依法追究有关人员的责任。",
            APPEAL_NOTICE,
        ),
    ),
    K.on_site_decision: KindText(
        "现场处理措施决定书",
        "本机关在检查中发现你单位存在下列问题（事故隐患）：",
        lambda d: f"依据{d.legal_basis}的规定，现作出如下现场处理决定：",
    ),
    K.re_check_opinion: KindText(
        "整改复查意见书",
        "本机关对你单位下列问题（事故隐患）的整改情况进行了复查：",
        lambda d: f"依据{d.legal_basis}的规定，复查意见如下（复查结论：{label(d.outcome)}）：",
        (),
    ),
    K.penalty_decision: KindText(
        "行政处罚决定书",
        "经查，你单位存在下列违法事实：",
        lambda d: (
            f"以上事实违反了有关安全生产法律法规的规定。依据{d.legal_basis}的规定，"
            "本机关决定给予如下行政处罚："
        ),
        (
            "罚款自收到本决定书之日起十五日内缴至指定银行；逾期不缴纳的，每日按罚款数额的百分之三"
            "加处罚款。",
            APPEAL_NOTICE,
        ),
    ),
    K.suspension_decision: KindText(
        "停产停业整顿决定书",
        "经查，你单位存在下列问题（事故隐患）：",
        lambda d: (
            f"依据{d.legal_basis}的规定，本机关决定责令你单位停产停业整顿"
            f"（整顿期限至{_due(d)}），经验收合格后方可恢复生产经营："
        ),
    ),
    K.closure_request: KindText(
        "提请关闭建议书",
        "经查，该单位存在下列问题（事故隐患）：",
        lambda d: f"依据{d.legal_basis}的规定，提请予以关闭：",
        (),
        unit_signs=False,
    ),
    K.listing_notice: KindText(
        "重大事故隐患挂牌督办通知书",
        "你单位存在下列重大事故隐患：",
        lambda d: (
            f"依据{d.legal_basis}的规定，现对上述重大事故隐患实行{label(d.listing_level)}"
            f"挂牌督办。请于{_due(d)}前报送治理方案，并按方案落实治理措施，按期完成整治。"
        ),
        ("挂牌督办期间，你单位应当定期报告治理进展；治理完成后申请验收销号。",),
    ),
}


def _hazard_lines(hazards: list[Hazard]) -> list[str]:
    lines = []
    for n, hz in enumerate(hazards, 1):
        line = f"{n}. [{hz.code}] {hz.title}"
        if hz.description:
            line += f"：{hz.description}"
        extra = []
        if hz.level:
            extra.append(f"隐患等级：{label_level(hz.level)}")
        if hz.responsible_person and hz.responsible_person.get("name"):
            extra.append(f"整改责任人：{hz.responsible_person['name']}")
        if hz.deadline:
            extra.append(f"整改期限：{chinese_date(hz.deadline)}")
        if extra:
            line += "（" + "；".join(extra) + "）"
        lines.append(line)
    return lines


def label_level(level: str) -> str:
    return {"general": "一般事故隐患", "major": "重大事故隐患"}.get(level, level)


async def enforcement_document(
    session: AsyncSession, settings: Settings, principal: Principal, document_id: uuid.UUID
) -> tuple[PrintDocument, DocumentRead]:
    """The printable form of an enforcement document, scoped like its JSON read."""
    doc = await documents_service.get_document(session, principal, document_id)
    kind = KINDS[doc.kind]
    ent = await repository.enterprise(session, doc.enterprise_id)
    hazards = await repository.hazards(session, doc.hazard_ids)
    addressee = ent.name if ent else None
    if doc.kind is K.closure_request:
        county = await repository.region_name(session, doc.region_code[:6])
        addressee = f"{county or ''}人民政府"
    paragraphs = [kind.facts_intro, *_hazard_lines(hazards)] if hazards else []
    facts = Section("一、违法事实及事故隐患" if hazards else None, paragraphs)
    decision = Section("二、决定（指令）", [kind.decision(doc), doc.content or ""])
    rows = [
        ("文书种类", label(doc.kind)),
        ("文号", doc.number),
        ("发文机关", doc.issuer_name),
        ("签发日期", chinese_date(doc.issued_on)),
        ("送达日期", chinese_date(doc.served_on) if doc.served_on else "（未送达）"),
    ]
    if doc.due_on:
        rows.append(("期限", chinese_date(doc.due_on)))
    if doc.amount is not None:
        rows.append(("罚款金额", money(doc.amount)))
    if doc.listing_level:
        rows.append(("督办级别", label(doc.listing_level)))
    if doc.outcome:
        rows.append(("复查结论", label(doc.outcome)))
    basis = Section("三、法律依据及文书信息", [f"法律依据：{doc.legal_basis}"], rows)
    signatures = []
    visit = await repository.visit(session, doc.visit_id)
    if visit is not None:
        for m in await repository.members(session, visit.id):
            if m.role == "inspector":
                cert = f"执法证号：{m.certificate_number}" if m.certificate_number else None
                signatures.append(Signature("执法人员", m.name, cert))
    if kind.unit_signs:
        head = await head_at(session, ent, end_of(doc.issued_on)) if ent else None
        signatures.append(
            Signature(
                "被检查单位负责人（签收）",
                head,
                signed_at=chinese_date(doc.served_on) if doc.served_on else None,
            )
        )
    parties = await unit_parties(session, ent, end_of(doc.issued_on))
    printed = PrintDocument(
        issuer=doc.issuer_name,
        title=kind.title,
        number=doc.number,
        addressee=addressee,
        parties=parties,
        sections=[s for s in (facts, decision, basis) if s.paragraphs or s.rows],
        signatures=signatures,
        seal_date=doc.issued_on,
        notes=list(kind.notes),
        reference=str(doc.id),
        subject=f"{kind.title} {doc.number}",
    )
    return printed, doc
