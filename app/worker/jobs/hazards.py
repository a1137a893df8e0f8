"""Deadline clock jobs on hazard deadlines: overdue, reminders, the escalation ladder."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.events.outbox import emit_event
from app.models.hazard import TERMINAL_STATUSES
from app.notifications.schemas import NotificationKind
from app.notifications.service import notify
from app.worker.clock import JobContext, job
from app.worker.jobs.common import (
    BATCH,
    HAZARD_COLUMNS,
    NO_REMINDER,
    H,
    deciding_unit,
    fire,
    hazard_ref,
    hazard_scope,
    iso_date,
    not_fired,
    store_responsibility_snapshot,
    table_exists,
)


@job("hazard_overdue")
async def hazard_overdue(session: AsyncSession, ctx: JobContext) -> dict[str, Any]:
    """Each hazard past its deadline: one ``hazard.overdue`` event, the responsibility chain
    stored, and a notification to the enterprise — once per (hazard, deadline)."""
    if not await table_exists(session, "hazard"):
        return {"skipped": "no hazard table"}
    rule = "hazard.overdue"
    stmt = (
        select(*HAZARD_COLUMNS)
        .where(H.deadline < ctx.today, H.status.not_in(TERMINAL_STATUSES))
        .where(not_fired(rule, H.id, iso_date(H.deadline)))
        .order_by(H.deadline, H.id)
        .limit(BATCH)
    )
    fired = snapshots = 0
    flipped: list[Any] = []
    for row in (await session.execute(stmt)).all():
        if not await fire(session, rule, row.id, row.deadline.isoformat(), ctx.now):
            continue
        fired += 1
        flipped.append(row.id)
        days = (ctx.today - row.deadline).days
        emit_event(
            session,
            "hazard.overdue",
            resource_type="hazard",
            resource_id=row.id,
            data={
                "status": row.status,
                "version": row.version,
                "code": row.code,
                "deadline": row.deadline,
                "overdue_since": row.deadline + timedelta(days=1),
                "days_overdue": days,
                "level": row.level,
            },
            **hazard_scope(row),
        )
        if await store_responsibility_snapshot(session, row.id, "overdue"):
            snapshots += 1
        notify(
            session,
            NotificationKind.hazard_overdue,
            title=f"隐患 {row.code} 已超过整改期限（{row.deadline.isoformat()}）",
            body=row.title,
            recipient_enterprise_id=row.enterprise_id,
            data={
                "code": row.code,
                "deadline": row.deadline,
                "responsible_person": row.responsible_person,
            },
            **hazard_ref(row),
            **hazard_scope(row),
        )
    if flipped:
        # ``overdue`` is computed when read: the row changed for a follower (delta sync) even
        # though no column did. A new sync stamp (the trigger sets it) re-sends it once; the
        # version stays, as nothing a client could write has changed.
        await session.execute(update(H).where(H.id.in_(flipped)).values(sync_seq=H.sync_seq))
    return {"fired": fired, "snapshots": snapshots}


@job("deadline_reminder")
async def deadline_reminder(session: AsyncSession, ctx: JobContext) -> dict[str, Any]:
    """N working days before a deadline: remind the rectification responsible person (via the
    enterprise inbox; name and phone in the data for an SMS gateway) — once per deadline."""
    if not await table_exists(session, "hazard"):
        return {"skipped": "no hazard table"}
    rule = "hazard.deadline_reminder"
    horizon = ctx.calendar.add_working_days(ctx.today, ctx.settings.clock_reminder_working_days)
    stmt = (
        select(*HAZARD_COLUMNS)
        .where(H.deadline >= ctx.today, H.deadline <= horizon, H.status.not_in(NO_REMINDER))
        .where(not_fired(rule, H.id, iso_date(H.deadline)))
        .order_by(H.deadline, H.id)
        .limit(BATCH)
    )
    fired = 0
    for row in (await session.execute(stmt)).all():
        if not await fire(session, rule, row.id, row.deadline.isoformat(), ctx.now):
            continue
        fired += 1
        left = ctx.calendar.working_days_between(ctx.today, row.deadline)
        person = row.responsible_person or {}
        notify(
            session,
            NotificationKind.deadline_reminder,
            title=f"隐患 {row.code} 距整改期限还有 {left} 个工作日（{row.deadline.isoformat()}）",
            body=row.title,
            recipient_enterprise_id=row.enterprise_id,
            data={
                "code": row.code,
                "deadline": row.deadline,
                "working_days_left": left,
                "responsible_person": person,
                "responsible_unit": row.responsible_unit,
            },
            **hazard_ref(row),
            **hazard_scope(row),
        )
    return {"fired": fired}


_ESCALATION_TITLES = {
    "supervising_department": "逾期隐患 {code}：请监管部门督促整改",
    "territorial_official": "逾期隐患 {code} 已逾期 {days} 天：请属地乡镇（街道）督办",
    "listing_suggestion": "逾期隐患 {code} 已逾期 {days} 天：建议挂牌督办",
}


@job("overdue_escalation")
async def overdue_escalation(session: AsyncSession, ctx: JobContext) -> dict[str, Any]:
    """The escalation ladder for overdue hazards; each (hazard, deadline, step) once."""
    if not await table_exists(session, "hazard"):
        return {"skipped": "no hazard table"}
    fired = 0
    for after_days, target in ctx.settings.clock_escalation_steps:
        rule = "hazard.escalation"
        key_expr = func.concat(iso_date(H.deadline), f":{after_days}:{target}")
        # overdue for at least ``after_days`` days: today >= deadline + 1 + after_days
        latest_deadline = ctx.today - timedelta(days=1 + after_days)
        stmt = (
            select(*HAZARD_COLUMNS)
            .where(H.deadline <= latest_deadline, H.status.not_in(TERMINAL_STATUSES))
            .where(not_fired(rule, H.id, key_expr))
            .order_by(H.deadline, H.id)
            .limit(BATCH)
        )
        for row in (await session.execute(stmt)).all():
            key = f"{row.deadline.isoformat()}:{after_days}:{target}"
            if not await fire(session, rule, row.id, key, ctx.now):
                continue
            fired += 1
            days = (ctx.today - row.deadline).days
            if target == "supervising_department":
                recipient = deciding_unit(row)
            elif target == "territorial_official":
                recipient = {
                    "recipient_region_code": row.region_code,
                    "recipient_role": "town_official",
                }
            else:
                recipient = {
                    "recipient_region_code": row.county_code,
                    "recipient_role": "committee_office",
                }
            emit_event(
                session,
                "hazard.escalation_step",
                resource_type="hazard",
                resource_id=row.id,
                data={
                    "status": row.status,
                    "version": row.version,
                    "code": row.code,
                    "deadline": row.deadline,
                    "days_overdue": days,
                    "step": {"after_days": after_days, "target": target},
                },
                **hazard_scope(row),
            )
            kind = (
                NotificationKind.listing_suggestion
                if target == "listing_suggestion"
                else NotificationKind.overdue_escalation
            )
            notify(
                session,
                kind,
                title=_ESCALATION_TITLES[target].format(code=row.code, days=days),
                body=row.title,
                data={
                    "code": row.code,
                    "deadline": row.deadline,
                    "days_overdue": days,
                    "step": target,
                    "after_days": after_days,
                },
                **recipient,
                **hazard_ref(row),
                **hazard_scope(row),
            )
    return {"fired": fired}
