"""Webhook subscriptions and deliveries, worker bookkeeping, notifications, workday overrides."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models.audit import OutboxEvent
from app.models.base import REGION_CODE, Base, SyncStamped, Timestamps, UUIDPrimaryKey, Versioned

# The event feed and the dispatcher read the outbox in (xid, seq) order.
Index("ix_outbox_event_xid_seq", OutboxEvent.xid, OutboxEvent.seq)


class WebhookSubscription(UUIDPrimaryKey, Timestamps, Versioned, SyncStamped, Base):
    """A receiver of events. Its secrets sign every delivery (Standard Webhooks)."""

    __tablename__ = "webhook_subscription"

    url: Mapped[str] = mapped_column(String(2000), nullable=False)
    description: Mapped[str | None] = mapped_column(String(500))
    # Full CloudEvents types (``gov.anjian.hazard.overdue``), or prefixes ending in ``.*``;
    # empty: every type.
    event_types: Mapped[list[str]] = mapped_column(ARRAY(String(128)), nullable=False, default=list)
    region_code: Mapped[str | None] = mapped_column(REGION_CODE)
    sectors: Mapped[list[str] | None] = mapped_column(ARRAY(String(32)))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(200))
    # [{"secret": "whsec_…", "created_at": iso, "expires_at": iso | null}], newest first.
    secrets: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, default=list)
    owner_api_key_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("api_key.id", ondelete="CASCADE")
    )
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)

    __table_args__ = (
        Index("ix_webhook_subscription_owner_api_key_id", "owner_api_key_id"),
        Index("ix_webhook_subscription_sync", "sync_xid", "sync_seq"),
    )


class WebhookDelivery(UUIDPrimaryKey, Base):
    """One event for one subscription: pending until delivered, retried with backoff."""

    __tablename__ = "webhook_delivery"

    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_subscription.id", ondelete="CASCADE"), nullable=False
    )
    event_seq: Mapped[int] = mapped_column(BigInteger, nullable=False)
    event_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    event_type: Mapped[str] = mapped_column(String(128), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status_code: Mapped[int | None] = mapped_column(SmallInteger)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )

    __table_args__ = (
        UniqueConstraint(
            "subscription_id", "event_id", name="uq_webhook_delivery_subscription_id_event_id"
        ),
        Index(
            "ix_webhook_delivery_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_webhook_delivery_subscription_id_event_seq", "subscription_id", "event_seq"),
    )


class WorkerCursor(Base):
    """Where a reader of the outbox (the webhook dispatcher) has got to: (xid, seq)."""

    __tablename__ = "worker_cursor"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    xid: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class ClockRun(Base):
    """A periodic job: when it last ran and when it is next due (row-locked while it runs)."""

    __tablename__ = "clock_run"

    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_worker: Mapped[str | None] = mapped_column(String(100))
    last_result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    next_run_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class ClockFiring(Base):
    """One firing of a deadline-clock rule (e.g. overdue for hazard X at deadline D): once only."""

    __tablename__ = "clock_firing"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    rule: Mapped[str] = mapped_column(String(64), nullable=False)
    subject_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    key: Mapped[str] = mapped_column(String(100), nullable=False)
    fired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (
        UniqueConstraint("rule", "subject_id", "key", name="uq_clock_firing_rule_subject_id_key"),
    )


class Notification(UUIDPrimaryKey, Base):
    """Something a person (or a unit's shared inbox) must see; also an event."""

    __tablename__ = "notification"

    kind: Mapped[str] = mapped_column(String(48), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    body: Mapped[str | None] = mapped_column(Text)
    resource_type: Mapped[str | None] = mapped_column(String(64))
    resource_id: Mapped[uuid.UUID | None] = mapped_column()
    recipient_person_id: Mapped[uuid.UUID | None] = mapped_column()
    recipient_department_id: Mapped[uuid.UUID | None] = mapped_column()
    recipient_region_code: Mapped[str | None] = mapped_column(REGION_CODE)
    recipient_role: Mapped[str | None] = mapped_column(String(32))
    recipient_enterprise_id: Mapped[uuid.UUID | None] = mapped_column()
    region_code: Mapped[str | None] = mapped_column(REGION_CODE)
    enterprise_id: Mapped[uuid.UUID | None] = mapped_column()
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_notification_recipient_person_id", "recipient_person_id", "created_at"),
        Index("ix_notification_recipient_department_id", "recipient_department_id", "created_at"),
        Index(
            "ix_notification_recipient_region_code",
            "recipient_region_code",
            "recipient_role",
            "created_at",
        ),
        Index("ix_notification_recipient_enterprise_id", "recipient_enterprise_id", "created_at"),
    )


class WorkdayOverride(SyncStamped, Base):
    """A local decision that a date is (or is not) a working day, over the national calendar."""

    __tablename__ = "workday_override"

    on: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean, nullable=False)
    reason: Mapped[str] = mapped_column(String(300), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )

    __table_args__ = (Index("ix_workday_override_sync", "sync_xid", "sync_seq"),)
