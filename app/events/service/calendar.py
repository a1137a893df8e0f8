"""Working-day overrides: local decisions over the national holiday calendar."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Select, extract, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import diff, record_audit
from app.auth.principal import Principal
from app.auth.scope import require
from app.config import Settings
from app.core.clock import utcnow
from app.core.errors import NotFound
from app.core.listing import ListSpec, SyncView, run_list
from app.events.outbox import emit_event
from app.events.schemas import (
    WorkdayOverrideFilter,
    WorkdayOverrideList,
    WorkdayOverridePut,
    WorkdayOverrideRead,
)
from app.models.webhook import WorkdayOverride

RESOURCE = "workday_override"
W = WorkdayOverride
# Delta sync only (the plain list is short and not paged); a removal's id is the date.
SYNC_SPEC = ListSpec(RESOURCE, {"on": W.on}, "on", W.on, W.sync_xid, W.sync_seq, id_name="on")


def override_id(on: date) -> uuid.UUID:
    """A stable id per date, so the events of one date share a subject."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"anjian:workday_override:{on.isoformat()}")


async def list_overrides(
    session: AsyncSession, settings: Settings, principal: Principal, query: WorkdayOverrideFilter
) -> WorkdayOverrideList:
    """Every override (a short list), or, with ``changed_since``, the changes since a cursor."""
    columns: tuple[Any, ...] = (W.on, W.is_workday, W.reason, W.created_at)
    scoped: Select[Any] = select(*columns)
    stmt = scoped
    if query.year is not None:
        stmt = stmt.where(extract("year", W.on) == query.year)
    if query.changed_since is None:
        rows = (await session.execute(stmt.order_by(W.on))).mappings()
        return WorkdayOverrideList(items=[WorkdayOverrideRead.model_validate(r) for r in rows])
    listed = await run_list(
        session,
        settings,
        SYNC_SPEC,
        stmt.add_columns(W.sync_xid, W.sync_seq),
        filters={"year": query.year},
        sort=None,
        cursor=None,
        limit=query.limit,
        changed_since=query.changed_since,
        view=SyncView(principal, scoped.add_columns(W.sync_xid, W.sync_seq), lambda r: true()),
    )
    return WorkdayOverrideList(
        items=[WorkdayOverrideRead.model_validate(r) for r in listed.rows],
        next_cursor=listed.next_cursor,
        removed=listed.removed,
    )


async def put_override(
    session: AsyncSession, principal: Principal, on: date, data: WorkdayOverridePut
) -> tuple[WorkdayOverrideRead, bool]:
    """Create or replace the override of one date; returns (override, created)."""
    require(principal, "reference:write")
    row = (
        await session.execute(select(W).where(W.on == on).with_for_update())
    ).scalar_one_or_none()
    created = row is None
    before = None if row is None else {"is_workday": row.is_workday, "reason": row.reason}
    if row is None:
        row = W(on=on, is_workday=data.is_workday, reason=data.reason)
        session.add(row)
    else:
        row.is_workday, row.reason = data.is_workday, data.reason
    await session.flush()
    after = {"is_workday": data.is_workday, "reason": data.reason}
    changes = diff(before, after)
    if changes:
        record_audit(
            session,
            principal,
            action="create" if created else "update",
            resource_type=RESOURCE,
            resource_id=on.isoformat(),
            changes=changes,
        )
        emit_event(
            session,
            "workday_override.set",
            resource_type=RESOURCE,
            resource_id=override_id(on),
            data={
                "on": on,
                "is_workday": data.is_workday,
                "reason": data.reason,
                "set_at": utcnow(),
            },
        )
    await session.refresh(row)
    return WorkdayOverrideRead.model_validate(row, from_attributes=True), created


async def delete_override(session: AsyncSession, principal: Principal, on: date) -> None:
    require(principal, "reference:write")
    row = (
        await session.execute(select(W).where(W.on == on).with_for_update())
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(
            "No override for this date", "该日期没有工作日调整", code="workday_override_not_found"
        )
    record_audit(
        session,
        principal,
        action="delete",
        resource_type=RESOURCE,
        resource_id=on.isoformat(),
        changes=diff({"is_workday": row.is_workday, "reason": row.reason}, None),
    )
    emit_event(
        session,
        "workday_override.deleted",
        resource_type=RESOURCE,
        resource_id=override_id(on),
        data={"on": on, "set_at": utcnow()},
    )
    await session.delete(row)
    await session.flush()
