"""The delivery log of a subscription and the redeliver action."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import diff, record_audit
from app.auth.principal import Principal
from app.config import Settings
from app.core.clock import utcnow
from app.core.errors import NotFound
from app.core.listing import ListSpec, run_list
from app.events import repository
from app.events.outbox import emit_event
from app.events.schemas import (
    WebhookDeliveryFilter,
    WebhookDeliveryRead,
)
from app.events.service.subscriptions import get_subscription
from app.models.webhook import WebhookDelivery

DELIVERY_SPEC = ListSpec(
    "webhook_delivery", repository.DELIVERY_SORTABLE, "-created_at", WebhookDelivery.id
)


async def list_deliveries(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    subscription_id: uuid.UUID,
    query: WebhookDeliveryFilter,
) -> tuple[list[WebhookDeliveryRead], str | None]:
    await get_subscription(session, principal, subscription_id)
    stmt = repository.deliveries_of(subscription_id, [s.value for s in query.status])
    listed = await run_list(
        session,
        settings,
        DELIVERY_SPEC,
        stmt,
        filters={
            "subscription": str(subscription_id),
            **query.model_dump(mode="json", exclude={"sort", "limit", "cursor"}),
        },
        sort=query.sort,
        cursor=query.cursor,
        limit=query.limit,
    )
    rows, next_cursor = listed.rows, listed.next_cursor
    return [_delivery_read(r) for r in rows], next_cursor


def _delivery_read(row: dict[str, Any]) -> WebhookDeliveryRead:
    data = dict(row)
    if data["status"] != "pending":
        data["next_attempt_at"] = None
    return WebhookDeliveryRead.model_validate(data)


async def redeliver(
    session: AsyncSession, principal: Principal, subscription_id: uuid.UUID, delivery_id: uuid.UUID
) -> WebhookDeliveryRead:
    """Queue a delivery again (any status) with a fresh retry budget."""
    await get_subscription(session, principal, subscription_id, write=True)
    delivery = await repository.get_delivery_for_update(session, subscription_id, delivery_id)
    if delivery is None:
        raise NotFound("Delivery not found", "投递记录不存在", code="webhook_delivery_not_found")
    before = {"status": delivery.status, "attempts": delivery.attempts}
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()
    delivery.claimed_by = None
    delivery.claimed_until = None
    await session.flush()
    record_audit(
        session,
        principal,
        action="redeliver",
        resource_type="webhook_delivery",
        resource_id=delivery.id,
        changes=diff(before, {"status": "pending", "attempts": 0}),
    )
    emit_event(
        session,
        "webhook_delivery.redelivery_requested",
        resource_type="webhook_delivery",
        resource_id=delivery.id,
        data={
            "subscription_id": subscription_id,
            "event_id": delivery.event_id,
            "status": "pending",
        },
    )
    return _delivery_read(await repository.get_delivery_row(session, delivery.id))
