"""The on-site record (现场检查记录, Art 68): drafted at completion, signed by the inspectors and
the unit head (or the head's refusal recorded); immutable once anyone has signed."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import diff
from app.auth.principal import Principal
from app.core.clock import utcnow
from app.core.concurrency import check_version
from app.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from app.core.ids import new_id
from app.models.visit import InspectionVisit, OnsiteRecord, OnsiteSignature, VisitMember
from app.visits import repository
from app.visits.enums import MemberRole, RecordStatus, SignatureCapture, SignerRole
from app.visits.record_schemas import (
    OnsiteRecordRead,
    OnsiteRecordUpdate,
    RefusalIn,
    SignatureIn,
    SignatureRead,
)
from app.visits.service.common import ensure_visit_attachments, get_visit, locked, write

_FIELDS = ("started_at", "ended_at", "place", "content", "problems", "handling")


def _no_record() -> NotFound:
    return NotFound(
        "This visit has no on-site record (yet)",
        "本次检查尚无现场检查记录",
        code="onsite_record_not_found",
    )


def _signed() -> Conflict:
    return Conflict(
        "The on-site record is signed and can no longer change",
        "现场检查记录已签署，不可修改",
        code="onsite_record_signed",
    )


async def _signatures(session: AsyncSession, visit_id: uuid.UUID) -> list[OnsiteSignature]:
    stmt = (
        select(OnsiteSignature)
        .where(OnsiteSignature.visit_id == visit_id)
        .order_by(OnsiteSignature.signed_at, OnsiteSignature.id)
    )
    return list((await session.execute(stmt)).scalars())


async def _unsigned(
    session: AsyncSession, visit_id: uuid.UUID, signatures: list[OnsiteSignature]
) -> list[uuid.UUID]:
    signed = {s.member_id for s in signatures}
    return [
        m.id
        for m in await repository.members_for_update(session, visit_id)
        if m.role == MemberRole.inspector and m.id not in signed
    ]


async def own_inspector_member(
    session: AsyncSession, principal: Principal, visit_id: uuid.UUID
) -> VisitMember:
    """The caller's own inspector membership of the visit (their person record): only that
    inspector signs, captures the head's signature or records the head's refusal."""
    for m in await repository.members_for_update(session, visit_id):
        mine = m.person_id is not None and m.person_id == principal.person_id
        if m.role == MemberRole.inspector and mine:
            return m
    raise Forbidden(
        "Only an inspector of this visit, signed in with their own account, signs its on-site "
        "record or captures the unit head's signature",
        "只有本次检查的检查人员本人（使用本人账号）可以签署现场检查记录或采集被检查单位负责人签名",
        code="signer_not_inspector_of_visit",
    )


async def _read(session: AsyncSession, record: OnsiteRecord) -> OnsiteRecordRead:
    signatures = await _signatures(session, record.visit_id)
    data: dict[str, Any] = {f: getattr(record, f) for f in _FIELDS}
    return OnsiteRecordRead(
        visit_id=record.visit_id,
        status=RecordStatus(record.status),
        head_refused=record.head_refused,
        refusal_note=record.refusal_note,
        signatures=[
            SignatureRead(
                id=s.id,
                signer_role=SignerRole(s.signer_role),
                member_id=s.member_id,
                name=s.name,
                attachment_id=s.attachment_id,
                signed_at=s.signed_at,
                signed_by=s.signed_by,
                capture=SignatureCapture(s.capture),
                captured_by_member_id=s.captured_by_member_id,
            )
            for s in signatures
        ],
        unsigned_inspectors=await _unsigned(session, record.visit_id, signatures),
        signed_at=record.signed_at,
        version=record.version,
        **data,
    )


async def get_record(
    session: AsyncSession, principal: Principal, visit_id: uuid.UUID
) -> OnsiteRecordRead:
    await get_visit(session, principal, visit_id)
    record = await session.get(OnsiteRecord, visit_id)
    if record is None:
        raise _no_record()
    return await _read(session, record)


async def _locked_record(
    session: AsyncSession, principal: Principal, visit_id: uuid.UUID, expected_version: int | None
) -> tuple[InspectionVisit, OnsiteRecord]:
    visit = await locked(session, principal, visit_id, None)
    stmt = select(OnsiteRecord).where(OnsiteRecord.visit_id == visit.id).with_for_update()
    record = (await session.execute(stmt)).scalar_one_or_none()
    if record is None:
        raise _no_record()
    check_version(expected_version, record.version)
    if record.status == RecordStatus.signed:
        raise _signed()
    return visit, record


async def update_record(
    session: AsyncSession,
    principal: Principal,
    visit_id: uuid.UUID,
    data: OnsiteRecordUpdate,
    expected_version: int | None,
) -> OnsiteRecordRead:
    visit, record = await _locked_record(session, principal, visit_id, expected_version)
    if record.status != RecordStatus.draft:
        raise _signed()
    before = {f: getattr(record, f) for f in _FIELDS}
    for key, value in data.model_dump(exclude_unset=True).items():
        if value is None and key in ("content", "problems", "handling"):
            continue
        setattr(record, key, value)
    changes = diff(before, {f: getattr(record, f) for f in _FIELDS})
    if changes:
        await session.flush()
        write(session, principal, visit, "update_onsite_record", changes, "onsite_record_updated")
    return await _read(session, record)


async def _maybe_complete(session: AsyncSession, record: OnsiteRecord) -> None:
    signatures = await _signatures(session, record.visit_id)
    head_done = record.head_refused or any(
        s.signer_role == SignerRole.unit_head for s in signatures
    )
    if head_done and not await _unsigned(session, record.visit_id, signatures):
        record.status, record.signed_at = RecordStatus.signed.value, utcnow()
    else:
        record.status = RecordStatus.signing.value


async def sign_record(
    session: AsyncSession,
    principal: Principal,
    visit_id: uuid.UUID,
    data: SignatureIn,
    expected_version: int | None,
) -> OnsiteRecordRead:
    visit, record = await _locked_record(session, principal, visit_id, expected_version)
    signatures = await _signatures(session, visit.id)
    own = await own_inspector_member(session, principal, visit.id)
    captured_by: uuid.UUID | None = None
    if data.signer_role is SignerRole.inspector:
        if data.member_id is not None and data.member_id != own.id:
            raise Forbidden(
                "An inspector signs only for themselves",
                "检查人员只能本人签名，不能代他人签名",
                code="signature_not_own",
            )
        if any(s.member_id == own.id for s in signatures):
            raise Conflict(
                "This inspector has already signed", "该检查人员已签名", code="already_signed"
            )
        member_id, name = own.id, own.name
    else:
        if not data.name:
            raise Unprocessable.field(
                ["body", "name"],
                "The unit head's name is required",
                "missing",
                "须填写被检查单位负责人姓名",
                code="head_name_required",
            )
        if data.attachment_id is None:
            raise Unprocessable.field(
                ["body", "attachment_id"],
                "The unit head's signature image is required (signed on the inspector's device)",
                "missing",
                "须上传被检查单位负责人在检查人员设备上的手写签名图像",
                code="head_signature_image_required",
            )
        if record.head_refused or any(s.signer_role == SignerRole.unit_head for s in signatures):
            raise Conflict(
                "The unit head has already signed or refused",
                "被检查单位负责人已签名或已拒签",
                code="head_already_recorded",
            )
        member_id, name, captured_by = None, data.name, own.id
    if data.attachment_id is not None:
        await ensure_visit_attachments(session, visit.id, [data.attachment_id], "attachment_id")
    signature = OnsiteSignature(
        id=new_id(),
        visit_id=visit.id,
        signer_role=data.signer_role.value,
        member_id=member_id,
        name=name,
        attachment_id=data.attachment_id,
        signed_at=utcnow(),
        signed_by=principal.actor_label,
        capture=(
            SignatureCapture.own_account
            if captured_by is None
            else SignatureCapture.inspector_device
        ).value,
        captured_by_member_id=captured_by,
    )
    session.add(signature)
    await session.flush()
    status_before = record.status
    await _maybe_complete(session, record)
    await session.flush()
    write(
        session,
        principal,
        visit,
        "sign_onsite_record",
        {
            "signature": {
                "old": None,
                "new": {
                    "role": data.signer_role.value,
                    "name": name,
                    "attachment_id": data.attachment_id,
                    "captured_by_member_id": captured_by,
                },
            },
            **diff({"record_status": status_before}, {"record_status": record.status}),
        },
        "onsite_record_signed",
        signer_role=data.signer_role.value,
        record_status=record.status,
    )
    return await _read(session, record)


async def record_refusal(
    session: AsyncSession,
    principal: Principal,
    visit_id: uuid.UUID,
    data: RefusalIn,
    expected_version: int | None,
) -> OnsiteRecordRead:
    """The head refused to sign: recorded (Art 68); the record completes with the inspectors."""
    visit, record = await _locked_record(session, principal, visit_id, expected_version)
    recorder = await own_inspector_member(session, principal, visit.id)
    signatures = await _signatures(session, visit.id)
    if record.head_refused or any(s.signer_role == SignerRole.unit_head for s in signatures):
        raise Conflict(
            "The unit head has already signed or refused",
            "被检查单位负责人已签名或已拒签",
            code="head_already_recorded",
        )
    status_before = record.status
    record.head_refused = True
    record.refusal_note = f"{data.head_name}：{data.note}（记录人：{recorder.name}）"
    await _maybe_complete(session, record)
    await session.flush()
    write(
        session,
        principal,
        visit,
        "record_signature_refusal",
        {
            "head_refused": {"old": False, "new": True},
            "refusal_note": {"old": None, "new": record.refusal_note},
            **diff({"record_status": status_before}, {"record_status": record.status}),
        },
        "onsite_record_refused",
        record_status=record.status,
    )
    return await _read(session, record)
