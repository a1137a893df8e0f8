"""Write a CloudEvents 1.0 event into the outbox, in the same transaction as the change."""

from __future__ import annotations

import uuid
from typing import Any, Required, TypedDict, Unpack

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.ids import new_id
from app.core.plain import plain
from app.models.audit import OutboxEvent

EVENT_TYPE_PREFIX = "gov.anjian."
EVENT_SOURCE = "/anjian/api/v1"


class EventFields(TypedDict, total=False):
    """What a writer says about one event (``data`` names the new state and the version, so a
    receiver can drop stale deliveries)."""

    resource_type: Required[str]
    resource_id: Required[uuid.UUID]
    data: Required[dict[str, Any]]
    region_code: str | None
    sectors: list[str] | None
    enterprise_id: uuid.UUID | None


def outbox_row(event_type: str, **fields: Unpack[EventFields]) -> dict[str, Any]:
    """The column values of one outbox event (for writers that insert it themselves);
    ``event_type`` is the suffix, e.g. ``hazard.accepted``."""
    resource_type, resource_id = fields["resource_type"], fields["resource_id"]
    return {
        "id": new_id(),
        "type": EVENT_TYPE_PREFIX + event_type,
        "source": EVENT_SOURCE,
        "subject": f"{resource_type}/{resource_id}",
        "time": utcnow(),
        "data": plain({"resource_type": resource_type, "id": resource_id, **fields["data"]}),
        "region_code": fields.get("region_code"),
        "sectors": fields.get("sectors"),
        "enterprise_id": fields.get("enterprise_id"),
    }


def emit_event(session: AsyncSession, event_type: str, **fields: Unpack[EventFields]) -> None:
    session.add(OutboxEvent(**outbox_row(event_type, **fields)))
