"""The public side: the unauthenticated intake and the receipt lookup.

The reporter's identity is encrypted before it reaches the session; the intake's audit row has
the actor ``public``, no client address, and the identity only as the marker ``[encrypted]``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import diff
from app.config import Settings
from app.core.clock import today_china
from app.core.errors import Unprocessable
from app.core.ids import new_id
from app.models.public_report import PublicReport
from app.public_reports import photos, repository
from app.public_reports.crypto import (
    cipher_for,
    hash_secret,
    new_receipt_code,
    new_receipt_secret,
    secret_matches,
)
from app.public_reports.enums import ReportStatus, RewardStatus
from app.public_reports.public_audit import public_audit
from app.public_reports.routing import route
from app.public_reports.schemas import (
    PublicReportCreate,
    PublicReportReceipt,
    ReceiptReward,
    ReceiptStatus,
)
from app.public_reports.service import (
    PUBLIC_ACTOR,
    RESOURCE,
    emit,
    history,
    receipt_not_found,
    snapshot,
)
from app.reference.service import ensure_region


async def _subject(session: AsyncSession, data: PublicReportCreate) -> dict[str, Any]:
    if data.enterprise_id is not None:
        unit = await repository.enterprise_unit(session, data.enterprise_id)
        if unit is None:
            raise Unprocessable.field(
                ["body", "enterprise_id"],
                "Unknown enterprise",
                "enterprise_not_found",
                "生产经营单位不存在",
                code="enterprise_not_found",
            )
        region, sectors, lat, lon, _name, _address = unit
        if data.location is not None:
            lat, lon = data.location.lat, data.location.lon
        return {"region_code": region, "sectors": sectors, "lat": lat, "lon": lon}
    assert data.region_code is not None  # the schema requires it without an enterprise
    await ensure_region(session, data.region_code, ["body", "region_code"], min_level=3)
    return {
        "region_code": data.region_code,
        "sectors": [data.sector.value] if data.sector else [],
        "lat": data.location.lat if data.location else None,
        "lon": data.location.lon if data.location else None,
    }


async def _unique_receipt_code(session: AsyncSession) -> str:
    for _ in range(5):
        code = new_receipt_code()
        if not await repository.receipt_code_taken(session, code):
            return code
    raise RuntimeError("could not draw a free receipt code")  # 31^12 codes: never in practice


async def submit_report(
    session: AsyncSession, settings: Settings, data: PublicReportCreate
) -> PublicReportReceipt:
    """The public intake: no account. Answers with the receipt code and secret (shown once)."""
    cipher = cipher_for(settings)
    if len(data.content) > settings.public_report_max_content_chars:
        limit = settings.public_report_max_content_chars
        raise Unprocessable.field(
            ["body", "content"],
            f"At most {limit} characters",
            "content_too_long",
            f"内容不得超过 {limit} 个字符",
            code="content_too_long",
        )
    if len(data.photo_ids) > settings.public_report_max_photos:
        raise Unprocessable.field(
            ["body", "photo_ids"],
            f"At most {settings.public_report_max_photos} photos",
            "too_many_photos",
            "照片数量超过上限",
            code="too_many_photos",
        )
    subject = await _subject(session, data)
    today = today_china()
    earlier = await repository.earlier_same_matter(
        session,
        enterprise_id=data.enterprise_id,
        lat=subject["lat"],
        lon=subject["lon"],
        since=today - timedelta(days=settings.public_report_duplicate_days),
        radius_m=settings.public_report_duplicate_radius_m,
    )
    duplicate_of = (earlier[1] or earlier[0]) if earlier else None
    department_id = await route(
        session,
        category=data.category.value,
        sectors=subject["sectors"],
        region_code=subject["region_code"],
    )
    secret = new_receipt_secret()
    report = PublicReport(
        id=new_id(),
        receipt_code=await _unique_receipt_code(session),
        receipt_secret_hash=hash_secret(secret),
        channel=data.channel.value,
        category=data.category.value,
        enterprise_id=data.enterprise_id,
        subject_name=data.subject_name,
        subject_address=data.subject_address,
        content=data.content,
        photo_ids=list(data.photo_ids),
        anonymous=data.anonymous,
        received_on=today,
        status=ReportStatus.received.value,
        assigned_department_id=department_id,
        duplicate_of_id=duplicate_of,
        due_on=today + timedelta(days=settings.public_report_close_days),
        extended=False,
        hazard_ids=[],
        reward_status=RewardStatus.none.value,
        **subject,
    )
    identity = confidential(data)
    if identity:
        report.reporter_ciphertext = cipher.encrypt(report.id, identity)
        report.reporter_key_id = cipher.key_id
    session.add(report)
    await session.flush()
    await photos.link_photos(session, list(data.photo_ids), report.id)
    history(session, report, PUBLIC_ACTOR, PUBLIC_ACTOR, "received", to_department_id=department_id)
    changes = diff(None, snapshot(report))
    if identity:
        changes["reporter_identity"] = {"old": None, "new": "[encrypted]"}
    public_audit(session, RESOURCE, report.id, report.region_code, changes)
    emit(session, "public_report.received", report)
    return PublicReportReceipt(
        receipt_code=report.receipt_code,
        receipt_secret=secret,
        status=ReportStatus.received,
        received_on=report.received_on,
        due_on=report.due_on,
    )


async def lookup_receipt(session: AsyncSession, code: str, secret: str) -> ReceiptStatus:
    """Status and public reply for the holder of the receipt; one 404 for every refusal."""
    row = await repository.by_receipt(session, code.strip().upper()) if len(code) <= 16 else None
    if not secret_matches(row["receipt_secret_hash"] if row else None, secret) or row is None:
        raise receipt_not_found()
    return ReceiptStatus(
        receipt_code=row["receipt_code"],
        status=row["status"],
        received_on=row["received_on"],
        public_reply=row["public_reply"],
        replied_at=row["replied_at"],
        reward=ReceiptReward(status=row["reward_status"], amount=row["reward_amount"]),
    )


def confidential(data: PublicReportCreate) -> dict[str, Any]:
    """What is stored encrypted: the reporter's identity, or an anonymous report's callback
    phone (the report stays anonymous)."""
    out: dict[str, Any] = data.reporter.model_dump() if data.reporter is not None else {}
    if data.callback_phone is not None:
        out["callback_phone"] = data.callback_phone
    return out
