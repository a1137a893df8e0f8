"""Notifications: created by the deadline clock (``notify``), read by the people concerned."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import record_audit
from app.auth.principal import Principal
from app.config import Settings
from app.core.clock import utcnow
from app.core.errors import NotFound
from app.core.ids import new_id
from app.core.listing import ListSpec, run_list
from app.core.plain import plain
from app.events.outbox import emit_event
from app.models.webhook import Notification
from app.notifications import repository
from app.notifications.schemas import NotificationFilter, NotificationKind, NotificationRead

RESOURCE = "notification"
LIST_SPEC = ListSpec(RESOURCE, repository.SORTABLE, "read,-created_at", Notification.id)


def notify(
    session: AsyncSession,
    kind: NotificationKind,
    *,
    title: str,
    body: str | None = None,
    resource_type: str | None = None,
    resource_id: uuid.UUID | None = None,
    recipient_person_id: uuid.UUID | None = None,
    recipient_department_id: uuid.UUID | None = None,
    recipient_enterprise_id: uuid.UUID | None = None,
    recipient_region_code: str | None = None,
    recipient_role: str | None = None,
    region_code: str | None = None,
    sectors: list[str] | None = None,
    enterprise_id: uuid.UUID | None = None,
    data: dict[str, Any] | None = None,
) -> uuid.UUID:
    """Add a notification and its ``notification.created`` event (same transaction).

    Address it to a person, a department, an enterprise, or a role in a region (e.g. the town
    officials of a street); a group inbox is shared (one read mark for all its members)."""
    notification = Notification(
        id=new_id(),
        kind=kind.value,
        title=title,
        body=body,
        resource_type=resource_type,
        resource_id=resource_id,
        recipient_person_id=recipient_person_id,
        recipient_department_id=recipient_department_id,
        recipient_enterprise_id=recipient_enterprise_id,
        recipient_region_code=recipient_region_code,
        recipient_role=recipient_role,
        region_code=region_code,
        enterprise_id=enterprise_id,
        data=plain(data or {}),
        created_at=utcnow(),
    )
    session.add(notification)
    emit_event(
        session,
        "notification.created",
        resource_type=RESOURCE,
        resource_id=notification.id,
        data={
            "version": 1,
            "status": "unread",
            "kind": kind.value,
            "title": title,
            "body": body,
            "about": {"type": resource_type, "id": resource_id},
            "recipient": {
                "person_id": recipient_person_id,
                "department_id": recipient_department_id,
                "enterprise_id": recipient_enterprise_id,
                "region_code": recipient_region_code,
                "role": recipient_role,
            },
            **(data or {}),
        },
        region_code=region_code,
        sectors=sectors,
        enterprise_id=enterprise_id,
    )
    return notification.id


async def list_my_notifications(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    query: NotificationFilter,
) -> tuple[list[NotificationRead], str | None]:
    """Unread first, newest first within each group."""
    stmt = repository.mine(principal, query.unread)
    listed = await run_list(
        session,
        settings,
        LIST_SPEC,
        stmt,
        filters={"unread": query.unread, "me": principal.subject},
        sort=None,
        cursor=query.cursor,
        limit=query.limit,
    )
    rows, next_cursor = listed.rows, listed.next_cursor
    return [NotificationRead.model_validate(r) for r in rows], next_cursor


async def mark_read(
    session: AsyncSession, principal: Principal, notification_id: uuid.UUID
) -> NotificationRead:
    notification = await repository.get_for_update(session, principal, notification_id)
    if notification is None:
        raise NotFound("Notification not found", "通知不存在", code="notification_not_found")
    if notification.read_at is None:
        notification.read_at = utcnow()
        await session.flush()
        record_audit(
            session,
            principal,
            action="read",
            resource_type=RESOURCE,
            resource_id=notification.id,
            changes={"read_at": {"old": None, "new": notification.read_at.isoformat()}},
            region_code=notification.region_code,
        )
        emit_event(
            session,
            "notification.read",
            resource_type=RESOURCE,
            resource_id=notification.id,
            data={"version": 2, "status": "read", "kind": notification.kind},
            region_code=notification.region_code,
            enterprise_id=notification.enterprise_id,
        )
    return NotificationRead.model_validate(await repository.get_row(session, notification.id))
