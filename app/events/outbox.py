"""Write a CloudEvents 1.0 event into the outbox, in the same transaction as the change."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.ids import new_id
from app.core.plain import plain
from app.models.audit import OutboxEvent

EVENT_TYPE_PREFIX = "gov.anjian."
EVENT_SOURCE = "/anjian/api/v1"


def outbox_row(
    event_type: str,
    *,
    resource_type: str,
    resource_id: uuid.UUID,
    data: dict[str, Any],
    region_code: str | None = None,
    sectors: list[str] | None = None,
    enterprise_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """The column values of one outbox event (for writers that insert it themselves)."""
    return {
        "id": new_id(),
        "type": EVENT_TYPE_PREFIX + event_type,
        "source": EVENT_SOURCE,
        "subject": f"{resource_type}/{resource_id}",
        "time": utcnow(),
        "data": plain({"resource_type": resource_type, "id": resource_id, **data}),
        "region_code": region_code,
        "sectors": sectors,
        "enterprise_id": enterprise_id,
    }


def emit_event(
    session: AsyncSession,
    event_type: str,
    *,
    resource_type: str,
    resource_id: uuid.UUID,
    data: dict[str, Any],
    region_code: str | None = None,
    sectors: list[str] | None = None,
    enterprise_id: uuid.UUID | None = None,
) -> None:
    """``event_type`` is the suffix, e.g. ``hazard.accepted``; ``data`` names the new state and
    the version so a receiver can drop stale deliveries."""
    row = outbox_row(
        event_type,
        resource_type=resource_type,
        resource_id=resource_id,
        data=data,
        region_code=region_code,
        sectors=sectors,
        enterprise_id=enterprise_id,
    )
    session.add(OutboxEvent(**row))
