"""Deadline clock jobs on follow-ups: look-back, extension requests, acceptance reviews,
responsibility re-confirmation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import case, exists, func, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import CHINA_TZ
from app.models.responsibility import ResponsibilityAssignment
from app.models.visit import InspectionVisit, VisitHazard
from app.notifications.schemas import NotificationKind
from app.notifications.service import notify
from app.worker.clock import JobContext, job
from app.worker.jobs.common import (
    BATCH,
    HAZARD_COLUMNS,
    H,
    china_midnight,
    deciding_unit,
    fire,
    hazard_ref,
    hazard_scope,
    iso_date,
    not_fired,
    table_exists,
)


@job("lookback_due")
async def lookback_due(session: AsyncSession, ctx: JobContext) -> dict[str, Any]:
    """Closed hazards whose look-back (回头看) falls due and that no look-back visit covers yet:
    tell the unit that ordered the rectification (or the county office) — once per closing."""
    if not await table_exists(session, "hazard"):
        return {"skipped": "no hazard table"}
    rule = "hazard.lookback_due"
    after = ctx.settings.lookback_after_days
    due_before = china_midnight(ctx.today - timedelta(days=after - 1))
    window_start = china_midnight(ctx.today - timedelta(days=after + 90))
    stmt = (
        select(*HAZARD_COLUMNS)
        .where(H.status == "closed", H.closed_at < due_before, H.closed_at >= window_start)
        .where(not_fired(rule, H.id, iso_date(func.timezone("Asia/Shanghai", H.closed_at))))
        .order_by(H.closed_at, H.id)
        .limit(BATCH)
    )
    if await table_exists(session, "visit_hazard") and await table_exists(
        session, "inspection_visit"
    ):
        stmt = stmt.where(
            not_(
                exists().where(
                    VisitHazard.hazard_id == H.id,
                    InspectionVisit.id == VisitHazard.visit_id,
                    InspectionVisit.type == "lookback",
                    InspectionVisit.cancelled_at.is_(None),
                )
            )
        )
    fired = 0
    for row in (await session.execute(stmt)).all():
        closed_on = row.closed_at.astimezone(CHINA_TZ).date()
        if not await fire(session, rule, row.id, closed_on.isoformat(), ctx.now):
            continue
        fired += 1
        notify(
            session,
            NotificationKind.lookback_due,
            title=f"隐患 {row.code} 销号已满 {after} 天，请安排回头看复查",
            body=row.title,
            data={
                "code": row.code,
                "closed_on": closed_on,
                "lookback_due_on": closed_on + timedelta(days=after),
            },
            **deciding_unit(row),
            **hazard_ref(row),
            **hazard_scope(row),
        )
    return {"fired": fired}


@job("extension_pending")
async def extension_pending(session: AsyncSession, ctx: JobContext) -> dict[str, Any]:
    """Extension requests awaiting a decision: tell the deciding unit, once per request."""
    if not await table_exists(session, "hazard"):
        return {"skipped": "no hazard table"}
    rule = "hazard.extension_pending"
    key_expr = func.coalesce(iso_date(H.extension_requested_deadline), "none")
    stmt = (
        select(*HAZARD_COLUMNS)
        .where(H.status == "extension_requested")
        .where(not_fired(rule, H.id, key_expr))
        .order_by(H.id)
        .limit(BATCH)
    )
    fired = 0
    for row in (await session.execute(stmt)).all():
        requested = row.extension_requested_deadline
        if not await fire(
            session, rule, row.id, requested.isoformat() if requested else "none", ctx.now
        ):
            continue
        fired += 1
        notify(
            session,
            NotificationKind.extension_pending,
            title=f"隐患 {row.code} 的延期申请待审批",
            body=row.title,
            data={"code": row.code, "deadline": row.deadline, "requested_deadline": requested},
            **deciding_unit(row),
            **hazard_ref(row),
            **hazard_scope(row),
        )
    return {"fired": fired}


@job("acceptance_review_overdue")
async def acceptance_review_overdue(session: AsyncSession, ctx: JobContext) -> dict[str, Any]:
    """Major hazards whose acceptance review is past its period (10 days after the completion
    application by default; per sector in ``ANJIAN_CLOCK_ACCEPTANCE_REVIEW_DAYS_BY_SECTOR``, coal
    20): tell the deciding unit, once per application."""
    if not await table_exists(session, "hazard"):
        return {"skipped": "no hazard table"}
    rule = "hazard.acceptance_review_overdue"
    default_days = ctx.settings.major_acceptance_review_days
    by_sector = ctx.settings.clock_acceptance_review_days_by_sector

    def before(days: int) -> Any:
        return china_midnight(ctx.today - timedelta(days=days))

    applied_before: Any = before(default_days)
    if by_sector:
        applied_before = case(
            *((H.sector == sector, before(days)) for sector, days in by_sector.items()),
            else_=before(default_days),
        )
    key_expr = iso_date(func.timezone("Asia/Shanghai", H.completed_at))
    stmt = (
        select(*HAZARD_COLUMNS)
        .where(
            H.status == "pending_verification", H.level == "major", H.completed_at < applied_before
        )
        .where(not_fired(rule, H.id, key_expr))
        .order_by(H.completed_at, H.id)
        .limit(BATCH)
    )
    fired = 0
    for row in (await session.execute(stmt)).all():
        applied_on = row.completed_at.astimezone(CHINA_TZ).date()
        days = by_sector.get(row.sector, default_days)
        if not await fire(session, rule, row.id, applied_on.isoformat(), ctx.now):
            continue
        fired += 1
        notify(
            session,
            NotificationKind.acceptance_review_overdue,
            title=f"重大隐患 {row.code} 已申请验收超过 {days} 天，尚未组织验收",
            body=row.title,
            data={
                "code": row.code,
                "applied_on": applied_on,
                "review_due_on": applied_on + timedelta(days=days),
            },
            **deciding_unit(row),
            **hazard_ref(row),
            **hazard_scope(row),
        )
    return {"fired": fired}


@job("responsibility_reconfirm")
async def responsibility_reconfirm(session: AsyncSession, ctx: JobContext) -> dict[str, Any]:
    """Assignments whose holder has not re-confirmed for N days (90): "are you still
    responsible?" to the holder, once per period, stamping ``confirmation_requested_at``; the
    holder's confirmation (``last_confirmed_at``) restarts the period."""
    if not await table_exists(session, "responsibility_assignment"):
        return {"skipped": "no responsibility_assignment table"}
    A = ResponsibilityAssignment  # noqa: N806
    period = ctx.settings.clock_reconfirm_days
    confirmed = getattr(A, "last_confirmed_at", None) or getattr(A, "confirmed_at", None)
    base = func.coalesce(confirmed, A.valid_from) if confirmed is not None else A.valid_from
    cutoff = ctx.now - timedelta(days=period)
    stmt = (
        select(
            A.id,
            A.kind,
            A.holder_person_id,
            A.holder_department_id,
            A.region_code,
            A.sectors,
            A.enterprise_id,
            A.object_type,
            base.label("base"),
        )
        .where(
            A.deleted_at.is_(None),
            A.valid_from <= ctx.now,
            or_(A.valid_to.is_(None), A.valid_to > ctx.now),
            base <= cutoff,
            or_(A.holder_person_id.isnot(None), A.holder_department_id.isnot(None)),
        )
        .order_by(A.id)
        .limit(BATCH * 5)
    )
    fired = 0
    for row in (await session.execute(stmt)).all():
        base_day = row.base.astimezone(CHINA_TZ).date()
        periods = (ctx.today - base_day).days // period
        if periods < 1:
            continue
        key = f"{base_day.isoformat()}+{periods * period}"
        if not await fire(session, "responsibility.reconfirm", row.id, key, ctx.now):
            continue
        fired += 1
        # asked now: unanswered from here on (a gap) until the holder confirms or declines
        await session.execute(
            update(A)
            .where(A.id == row.id)
            .values(confirmation_requested_at=ctx.now, version=A.version + 1)
        )
        recipient = (
            {"recipient_person_id": row.holder_person_id}
            if row.holder_person_id is not None
            else {"recipient_department_id": row.holder_department_id}
        )
        notify(
            session,
            NotificationKind.responsibility_reconfirm,
            title="请确认您是否仍承担该项安全生产责任",
            body=None,
            resource_type="responsibility_assignment",
            resource_id=row.id,
            data={
                "kind": row.kind,
                "object_type": row.object_type,
                "since": base_day,
                "days": periods * period,
            },
            region_code=row.region_code,
            sectors=list(row.sectors),
            enterprise_id=row.enterprise_id,
            **recipient,
        )
    return {"fired": fired}
