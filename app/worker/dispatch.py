"""Fan-out: turn outbox events into one pending delivery per matching webhook subscription.

One worker at a time holds the dispatcher's cursor row (``FOR UPDATE SKIP LOCKED``); the others
skip. Events are read in (xid, seq) order and only from transactions older than every running
transaction, so an event whose transaction commits late is never jumped over. The unique
(subscription, event) key makes a repeated fan-out harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.service import ADMIN_SUBSCRIBER, principal_for_key
from app.config import Settings
from app.core.clock import utcnow
from app.core.horizon import horizon
from app.core.ids import new_id
from app.events import channels
from app.models.audit import OutboxEvent
from app.models.identity import ApiKey
from app.models.webhook import WebhookDelivery, WebhookSubscription, WorkerCursor

CURSOR_NAME = "webhook_dispatch"
_MAX_SEQ = 2**62
_CHUNK = 1000


@dataclass(frozen=True)
class SubscriptionFilter:
    id: Any
    event_types: tuple[str, ...]
    region_code: str | None
    sectors: frozenset[str] | None
    created_at: datetime
    owner: Principal  # whose scope the deliveries follow (``channels.event_scope``)

    def matches(
        self, event_type: str, region_code: str | None, sectors: list[str] | None, time: datetime
    ) -> bool:
        if time < self.created_at:
            return False
        if self.event_types and not any(
            event_type == t or (t.endswith(".*") and event_type.startswith(t[:-1]))
            for t in self.event_types
        ):
            return False
        if self.region_code and not (region_code or "").startswith(self.region_code):
            return False
        return not (self.sectors and not self.sectors & set(sectors or ()))


async def _lock_cursor(session: AsyncSession) -> WorkerCursor | None:
    await session.execute(
        insert(WorkerCursor).values(name=CURSOR_NAME, xid=0, seq=0).on_conflict_do_nothing()
    )
    stmt = (
        select(WorkerCursor)
        .where(WorkerCursor.name == CURSOR_NAME)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def _active_subscriptions(session: AsyncSession) -> list[SubscriptionFilter]:
    S = WebhookSubscription  # noqa: N806
    stmt = (
        select(S.id, S.event_types, S.region_code, S.sectors, S.created_at, ApiKey)
        .outerjoin(ApiKey, ApiKey.id == S.owner_api_key_id)
        .where(S.active.is_(True))
        .where(or_(S.owner_api_key_id.is_(None), ApiKey.revoked_at.is_(None)))
    )
    return [
        SubscriptionFilter(
            r.id,
            tuple(r.event_types),
            r.region_code,
            frozenset(r.sectors) if r.sectors else None,
            r.created_at,
            ADMIN_SUBSCRIBER if r.ApiKey is None else principal_for_key(r.ApiKey),
        )
        for r in (await session.execute(stmt)).all()
    ]


async def fan_out(session: AsyncSession, settings: Settings) -> int:
    """One batch; returns the number of events read (0: nothing new or another worker has it).
    The caller commits."""
    cursor = await _lock_cursor(session)
    if cursor is None:
        return 0
    xmin = (await horizon(session)).below
    E = OutboxEvent  # noqa: N806
    limit = settings.webhook_batch_size
    stmt = (
        select(E.seq, E.id, E.type, E.region_code, E.sectors, E.time, E.xid)
        .where(tuple_(E.xid, E.seq) > tuple_(cursor.xid, cursor.seq))
        .where(E.xid < xmin)
        .order_by(E.xid, E.seq)
        .limit(limit)
    )
    events = (await session.execute(stmt)).all()
    subscriptions = await _active_subscriptions(session) if events else []
    seqs = [ev.seq for ev in events]
    seen: dict[Principal, set[int]] = {}
    for sub in subscriptions:  # exactly the feed's rule, once per distinct owner scope
        if sub.owner not in seen:
            seen[sub.owner] = await channels.visible_seqs(session, sub.owner, seqs)
    now = utcnow()
    rows = [
        {
            "id": new_id(),
            "subscription_id": sub.id,
            "event_seq": ev.seq,
            "event_id": ev.id,
            "event_type": ev.type,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
        }
        for ev in events
        for sub in subscriptions
        if ev.seq in seen[sub.owner] and sub.matches(ev.type, ev.region_code, ev.sectors, ev.time)
    ]
    for start in range(0, len(rows), _CHUNK):
        await session.execute(
            insert(WebhookDelivery)
            .values(rows[start : start + _CHUNK])
            .on_conflict_do_nothing(constraint="uq_webhook_delivery_subscription_id_event_id")
        )
    position = (cursor.xid, cursor.seq)
    if len(events) == limit:
        position = (events[-1].xid, events[-1].seq)
    else:
        position = max(position, (xmin - 1, _MAX_SEQ))
        if events:
            position = max(position, (events[-1].xid, events[-1].seq))
    cursor.xid, cursor.seq, cursor.updated_at = position[0], position[1], now
    return len(events)
