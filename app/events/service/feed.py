"""The event feed: scoped CloudEvents in commit-safe order."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.scope import require
from app.config import Settings
from app.core.sync import SyncCursor
from app.events import channels, repository
from app.events.schemas import (
    CloudEvent,
    EventFilter,
)


async def list_events(
    session: AsyncSession, settings: Settings, principal: Principal, query: EventFilter
) -> tuple[list[CloudEvent], str]:
    """Events in (transaction, sequence) order, only from transactions older than every running
    one: a slow commit is never skipped by a reader who already moved past it."""
    require(principal, "event:read")
    size = min(query.limit or settings.page_limit_default, settings.page_limit_max)
    cursor = SyncCursor(settings.cursor_secret, "events", settings.event_retention_days)
    position = cursor.position(query.after)
    xmin, own_xid = await repository.horizon(session)
    stmt = repository.after_position(
        repository.visible_events(channels.event_scope(principal), query.type),
        position,
        xmin,
        own_xid,
        size,
    )
    rows = [dict(r) for r in (await session.execute(stmt)).mappings()]
    if len(rows) > size:
        last = (int(rows[size - 1]["sync_xid"]), int(rows[size - 1]["sync_seq"]))
    else:
        last = max((xmin - 1, repository.MAX_SEQ), position)
        if rows:
            last = max(last, (int(rows[-1]["sync_xid"]), int(rows[-1]["sync_seq"])))
    return [CloudEvent.model_validate(r) for r in rows[:size]], cursor.encode(*last)
