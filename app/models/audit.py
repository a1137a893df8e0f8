"""The append-only audit trail and the transactional outbox of events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Identity, Index, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class AuditEvent(Base):
    """One write, as it happened. UPDATE and DELETE are refused by a trigger."""

    __tablename__ = "audit_event"

    seq: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    actor_subject: Mapped[str] = mapped_column(String(200), nullable=False)
    actor_role: Mapped[str] = mapped_column(String(32), nullable=False)
    actor_person_id: Mapped[uuid.UUID | None] = mapped_column()
    actor_api_key_id: Mapped[uuid.UUID | None] = mapped_column()
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    resource_type: Mapped[str] = mapped_column(String(64), nullable=False)
    resource_id: Mapped[str] = mapped_column(String(64), nullable=False)
    region_code: Mapped[str | None] = mapped_column(String(12, collation="C"))
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    request_id: Mapped[str | None] = mapped_column(String(128))
    client_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_audit_event_resource", "resource_type", "resource_id", "seq"),
        Index("ix_audit_event_actor", "actor_subject", "seq"),
        Index("ix_audit_event_occurred_at", "occurred_at"),
    )


class OutboxEvent(Base):
    """A CloudEvents 1.0 event, written in the same transaction as the change it describes."""

    __tablename__ = "outbox_event"

    seq: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(nullable=False, unique=True)
    type: Mapped[str] = mapped_column(String(128), nullable=False)
    source: Mapped[str] = mapped_column(String(200), nullable=False)
    subject: Mapped[str] = mapped_column(String(200), nullable=False)
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    region_code: Mapped[str | None] = mapped_column(String(12, collation="C"))
    sectors: Mapped[list[str] | None] = mapped_column(JSONB)
    enterprise_id: Mapped[uuid.UUID | None] = mapped_column()
    xid: Mapped[int] = mapped_column(
        BigInteger,
        nullable=False,
        server_default=func.cast(func.cast(func.pg_current_xact_id(), Text), BigInteger),
    )

    __table_args__ = (Index("ix_outbox_event_type", "type", "seq"),)
