"""Notification schemas."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.core.enums import labelled
from app.core.pagination import Page


@labelled(
    "notification_kind",
    {
        "deadline_reminder": ("Rectification deadline approaching", "整改期限临近提醒"),
        "hazard_overdue": ("Hazard overdue", "隐患整改逾期"),
        "overdue_escalation": ("Overdue hazard escalated", "逾期隐患升级提醒"),
        "listing_suggestion": ("Suggest supervised listing", "建议挂牌督办"),
        "lookback_due": ("Look-back re-check due", "回头看复查到期"),
        "extension_pending": ("Extension request awaiting decision", "延期申请待审批"),
        "acceptance_review_overdue": ("Acceptance review past its period", "验收超过期限"),
        "responsibility_reconfirm": (
            "Please re-confirm your responsibility",
            "请确认责任是否仍由您承担",
        ),
    },
)
class NotificationKind(StrEnum):
    deadline_reminder = "deadline_reminder"
    hazard_overdue = "hazard_overdue"
    overdue_escalation = "overdue_escalation"
    listing_suggestion = "listing_suggestion"
    lookback_due = "lookback_due"
    extension_pending = "extension_pending"
    acceptance_review_overdue = "acceptance_review_overdue"
    responsibility_reconfirm = "responsibility_reconfirm"


class NotificationRead(BaseModel):
    """Something that concerns the caller (通知): to them, their department or their unit."""

    id: uuid.UUID
    kind: NotificationKind
    title: str
    body: str | None
    resource_type: str | None = Field(description="e.g. hazard")
    resource_id: uuid.UUID | None
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None = Field(description="null while unread")


class NotificationPage(Page[NotificationRead]):
    pass


class NotificationFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unread: bool | None = Field(default=None, description="true: unread only")
    limit: int | None = Field(default=None, ge=1, le=200)
    cursor: str | None = None
