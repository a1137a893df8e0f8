"""The caller's notifications over HTTP."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from app.auth.dependencies import PrincipalDep, SessionDep, SettingsDep
from app.core.problems import problems
from app.notifications import service
from app.notifications.schemas import NotificationFilter, NotificationPage, NotificationRead

router = APIRouter(prefix="/me/notifications", tags=["notifications"])


@router.get("", response_model=NotificationPage, responses=problems())
async def list_my_notifications(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[NotificationFilter, Query()],
) -> NotificationPage:
    """Notifications to the caller, their department, their enterprise, or their role in their
    region (e.g. the town officials of a street): unread first, then newest first."""
    items, next_cursor = await service.list_my_notifications(session, settings, principal, query)
    return NotificationPage(items=items, next_cursor=next_cursor)


@router.post("/{notification_id}/read", response_model=NotificationRead, responses=problems(404))
async def mark_notification_read(
    notification_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> NotificationRead:
    """Mark as read (repeating it is harmless). A shared inbox has one read mark."""
    return await service.mark_read(session, principal, notification_id)
