"""Public report deadlines on the deadline clock (``app.worker``): a reminder to the handling
unit some days before the close deadline, and an ``overdue`` event and notice once a close or
reply deadline has passed — each once per (report, deadline). No identity in any of them."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.attachments.storage import storage_for
from app.events.outbox import emit_event
from app.models.public_report import PublicReport, PublicReportPhoto
from app.models.webhook import ClockFiring
from app.notifications.schemas import NotificationKind
from app.notifications.service import notify
from app.public_reports.enums import OPEN_STATUSES, ReportStatus
from app.public_reports.photos import UNLINKED_PHOTO_HOURS
from app.worker.clock import JobContext, job

R = PublicReport
_OPEN = [s.value for s in OPEN_STATUSES]
_COLUMNS = (
    R.id,
    R.receipt_code,
    R.status,
    R.version,
    R.due_on,
    R.reply_due_on,
    R.assigned_department_id,
    R.region_code,
    R.sectors,
    R.enterprise_id,
    R.category,
)


async def fire(
    session: AsyncSession, rule: str, subject_id: uuid.UUID, key: str, now: datetime
) -> bool:
    """Record a firing in the clock's table; True only the first time it is seen."""
    stmt = (
        insert(ClockFiring)
        .values(rule=rule, subject_id=subject_id, key=key, fired_at=now)
        .on_conflict_do_nothing(constraint="uq_clock_firing_rule_subject_id_key")
        .returning(ClockFiring.seq)
    )
    return (await session.execute(stmt)).first() is not None


def _notice(session: AsyncSession, row: Any, title: str, deadline: Any, kind: str) -> None:
    data = {"receipt_code": row.receipt_code, "deadline": deadline.isoformat(), "kind": kind}
    notify(
        session,
        NotificationKind.deadline_reminder,
        title=title,
        resource_type="public_report",
        resource_id=row.id,
        recipient_department_id=row.assigned_department_id,
        region_code=row.region_code,
        sectors=list(row.sectors),
        enterprise_id=row.enterprise_id,
        data=data,
    )


@job("public_report_deadlines")
async def public_report_deadlines(session: AsyncSession, ctx: JobContext) -> dict[str, Any]:
    settings = ctx.settings
    horizon = ctx.today + timedelta(days=settings.public_report_remind_days)
    reminded = overdue = 0
    due_soon = select(*_COLUMNS).where(
        R.status.in_(_OPEN), R.due_on >= ctx.today, R.due_on <= horizon, R.deleted_at.is_(None)
    )
    for row in (await session.execute(due_soon)).all():
        if await fire(
            session, "public_report.deadline_reminder", row.id, row.due_on.isoformat(), ctx.now
        ):
            reminded += 1
            _notice(
                session,
                row,
                f"举报 {row.receipt_code} 将于 {row.due_on.isoformat()} 到期办结",
                row.due_on,
                "close_due",
            )
    late = select(*_COLUMNS).where(
        R.deleted_at.is_(None),
        or_(
            and_(R.status.in_(_OPEN), R.due_on < ctx.today),
            and_(R.status == ReportStatus.verified.value, R.reply_due_on < ctx.today),
        ),
    )
    for row in (await session.execute(late)).all():
        reply_late = (
            row.status == ReportStatus.verified.value
            and row.reply_due_on is not None
            and row.reply_due_on < ctx.today
        )
        deadline = row.reply_due_on if reply_late else row.due_on
        kind = "reply" if reply_late else "close"
        if not await fire(
            session, f"public_report.overdue.{kind}", row.id, deadline.isoformat(), ctx.now
        ):
            continue
        overdue += 1
        emit_event(
            session,
            "public_report.overdue",
            resource_type="public_report",
            resource_id=row.id,
            data={
                "version": row.version,
                "status": row.status,
                "deadline": deadline,
                "deadline_kind": kind,
                "assigned_department_id": row.assigned_department_id,
            },
            region_code=row.region_code,
            sectors=list(row.sectors),
            enterprise_id=row.enterprise_id,
        )
        _notice(
            session,
            row,
            f"举报 {row.receipt_code} 已超过"
            f"{'答复' if reply_late else '办结'}期限（{deadline.isoformat()}）",
            deadline,
            f"{kind}_overdue",
        )
    return {"reminded": reminded, "overdue": overdue}


@job("public_report_photo_cleanup")
async def public_report_photo_cleanup(session: AsyncSession, ctx: JobContext) -> dict[str, Any]:
    """Photos uploaded for a report that never came are removed after a day."""
    cutoff = ctx.now - timedelta(hours=UNLINKED_PHOTO_HOURS)
    stale = (
        (
            await session.execute(
                delete(PublicReportPhoto)
                .where(PublicReportPhoto.report_id.is_(None), PublicReportPhoto.created_at < cutoff)
                .returning(PublicReportPhoto.storage_key)
            )
        )
        .scalars()
        .all()
    )
    storage = storage_for(ctx.settings)
    for key in stale:
        await storage.delete(key)
    return {"removed": len(stale)}
