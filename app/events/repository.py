"""Event feed and webhook queries, each starting from what the principal may see."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Select, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal, Role
from app.core.horizon import Horizon
from app.core.sync import apply_changed_since
from app.models.audit import OutboxEvent
from app.models.core import SyncRemoval
from app.models.webhook import WebhookDelivery, WebhookSubscription

E = OutboxEvent
S = WebhookSubscription
D = WebhookDelivery

EVENT_COLUMNS: tuple[Any, ...] = (
    E.id,
    E.source,
    E.type,
    E.subject,
    E.time,
    E.data,
    E.xid.label("sync_xid"),
    E.seq.label("sync_seq"),
)
SUBSCRIPTION_COLUMNS: tuple[Any, ...] = (
    S.id,
    S.url,
    S.description,
    S.event_types,
    S.region_code,
    S.sectors,
    S.active,
    S.disabled_reason,
    S.owner_api_key_id,
    S.created_by,
    S.version,
    S.created_at,
    S.updated_at,
)
DELIVERY_COLUMNS: tuple[Any, ...] = (
    D.id,
    D.subscription_id,
    D.event_id,
    D.event_type,
    D.status,
    D.attempts,
    D.next_attempt_at,
    D.last_attempt_at,
    D.last_status_code,
    D.last_error,
    D.delivered_at,
    D.created_at,
)
SUBSCRIPTION_SORTABLE = {"created_at": S.created_at, "id": S.id}
DELIVERY_SORTABLE = {"created_at": D.created_at, "id": D.id}


def type_match(types: list[str]) -> ColumnElement[bool]:
    exact = [t for t in types if not t.endswith(".*")]
    prefixes = [t[:-1] for t in types if t.endswith(".*")]
    clauses: list[ColumnElement[bool]] = []
    if exact:
        clauses.append(E.type.in_(exact))
    clauses.extend(E.type.startswith(p, autoescape=True) for p in prefixes)
    return or_(*clauses) if clauses else true()


def visible_events(scope: ColumnElement[bool], types: list[str]) -> Select[Any]:
    """Events passing ``scope`` (``app.events.channels.event_scope``: the lists' rule)."""
    return select(*EVENT_COLUMNS).where(scope).where(type_match(types))


def subscription_scope(principal: Principal) -> ColumnElement[bool]:
    if principal.role is Role.admin:
        return true()
    if principal.role is Role.system and principal.api_key_id is not None:
        return S.owner_api_key_id == principal.api_key_id
    return false()


def visible_subscriptions(principal: Principal) -> Select[Any]:
    stmt: Select[Any] = select(*SUBSCRIPTION_COLUMNS, S.sync_xid, S.sync_seq)
    return stmt.where(subscription_scope(principal))


def subscription_was_visible(
    principal: Principal,
) -> Callable[[type[SyncRemoval]], ColumnElement[bool]]:
    """``subscription_scope`` over a deleted subscription (its owner key kept as ``owner_id``)."""
    if principal.role is Role.admin:
        return lambda r: true()
    if principal.role is Role.system and principal.api_key_id is not None:
        key = principal.api_key_id
        return lambda r: r.owner_id == key
    return lambda r: false()


async def get_subscription_row(
    session: AsyncSession, principal: Principal, subscription_id: uuid.UUID
) -> dict[str, Any] | None:
    stmt = visible_subscriptions(principal).where(S.id == subscription_id)
    row = (await session.execute(stmt)).mappings().first()
    return dict(row) if row else None


async def get_subscription_for_update(
    session: AsyncSession, principal: Principal, subscription_id: uuid.UUID
) -> WebhookSubscription | None:
    stmt = select(S).where(S.id == subscription_id, subscription_scope(principal)).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_any_subscription(
    session: AsyncSession, subscription_id: uuid.UUID
) -> WebhookSubscription | None:
    return await session.get(S, subscription_id)


def deliveries_of(subscription_id: uuid.UUID, statuses: list[str]) -> Select[Any]:
    stmt: Select[Any] = select(*DELIVERY_COLUMNS).where(D.subscription_id == subscription_id)
    if statuses:
        stmt = stmt.where(D.status.in_(statuses))
    return stmt


async def get_delivery_for_update(
    session: AsyncSession, subscription_id: uuid.UUID, delivery_id: uuid.UUID
) -> WebhookDelivery | None:
    stmt = (
        select(D).where(D.id == delivery_id, D.subscription_id == subscription_id).with_for_update()
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_delivery_row(session: AsyncSession, delivery_id: uuid.UUID) -> dict[str, Any]:
    row = (
        (await session.execute(select(*DELIVERY_COLUMNS).where(D.id == delivery_id)))
        .mappings()
        .one()
    )
    return dict(row)


def after_position(
    stmt: Select[Any], position: tuple[int, int], below: Horizon, limit: int
) -> Select[Any]:
    return apply_changed_since(stmt, E.xid, E.seq, position, limit, below)
