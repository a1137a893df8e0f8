"""The event feed: scoped CloudEvents in commit-safe order."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.scope import require
from app.config import Settings
from app.core.horizon import horizon
from app.core.sync import SyncCursor, next_position, scope_fingerprint
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
    # bound to the caller's scope (a change is 410: resync), not to the type filter (events
    # never change, so a follower may narrow or widen its types as it goes)
    cursor = SyncCursor(
        settings.cursor_secret,
        "events",
        settings.event_retention_days,
        scope=scope_fingerprint(principal),
    )
    position = cursor.position(query.after)
    below = await horizon(session)
    stmt = repository.after_position(
        repository.visible_events(channels.event_scope(principal), query.type),
        position,
        below,
        size,
    )
    rows = [dict(r) for r in (await session.execute(stmt)).mappings()]
    stamps = [(int(r["sync_xid"]), int(r["sync_seq"])) for r in rows]
    last = next_position(position, stamps, size, below)
    return [CloudEvent.model_validate(r) for r in rows[:size]], cursor.encode(*last)
