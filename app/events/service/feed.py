"""The event feed: scoped CloudEvents in commit-safe order."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.scope import require
from app.config import Settings
from app.core.horizon import horizon
from app.core.sync import SyncCursor, next_position
from app.events import repository
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
    below = await horizon(session)
    stmt = repository.after_position(
        repository.visible_events(principal, query.type), position, below, size
    )
    rows = [dict(r) for r in (await session.execute(stmt)).mappings()]
    stamps = [(int(r["sync_xid"]), int(r["sync_seq"])) for r in rows]
    last = next_position(position, stamps, size, below)
    return [CloudEvent.model_validate(r) for r in rows[:size]], cursor.encode(*last)
