"""Public reports (举报): the report, its handling history, routing rules, intake rate windows."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    SmallInteger,
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import REGION_CODE, Base, Syncable, Timestamps, UUIDPrimaryKey, Versioned


class PublicReport(UUIDPrimaryKey, Timestamps, Versioned, Syncable, Base):
    """A report from the public. The reporter's identity is only ever stored encrypted."""

    __tablename__ = "public_report"

    receipt_code: Mapped[str] = mapped_column(String(16), nullable=False)
    receipt_secret_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    category: Mapped[str] = mapped_column(String(32), nullable=False)
    enterprise_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("enterprise.id"))
    subject_name: Mapped[str | None] = mapped_column(String(200))
    subject_address: Mapped[str | None] = mapped_column(String(300))
    region_code: Mapped[str] = mapped_column(REGION_CODE, ForeignKey("region.code"), nullable=False)
    sectors: Mapped[list[str]] = mapped_column(ARRAY(String(32)), nullable=False, default=list)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    photo_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid()), nullable=False, default=list)
    anonymous: Mapped[bool] = mapped_column(Boolean, nullable=False)
    # AES-256-GCM: 1 version byte, 12-byte nonce, ciphertext+tag; AAD is the report id.
    reporter_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    reporter_key_id: Mapped[str | None] = mapped_column(String(16))
    received_on: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    assigned_department_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("department.id"))
    duplicate_of_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("public_report.id"))
    accepted_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    extended: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    finding: Mapped[str | None] = mapped_column(String(16))
    finding_method: Mapped[str | None] = mapped_column(String(24))
    finding_note: Mapped[str | None] = mapped_column(Text)
    verified_on: Mapped[date | None] = mapped_column(Date)
    visit_id: Mapped[uuid.UUID | None] = mapped_column()
    hazard_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid()), nullable=False, default=list)
    reply_due_on: Mapped[date | None] = mapped_column(Date)
    public_reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_on: Mapped[date | None] = mapped_column(Date)
    reward_status: Mapped[str] = mapped_column(String(16), nullable=False, default="none")
    fine_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    reward_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    reward_decided_on: Mapped[date | None] = mapped_column(Date)
    reward_document_number: Mapped[str | None] = mapped_column(String(100))
    reward_paid_on: Mapped[date | None] = mapped_column(Date)
    reward_payment_reference: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (
        Index("uq_public_report_receipt_code", "receipt_code", unique=True),
        Index("ix_public_report_region_code", "region_code", "id"),
        Index("ix_public_report_assigned_department_id", "assigned_department_id", "id"),
        Index("ix_public_report_enterprise_id", "enterprise_id", "received_on"),
        Index("ix_public_report_duplicate_of_id", "duplicate_of_id"),
        Index("ix_public_report_received_on_lat", "received_on", "lat"),
        Index("ix_public_report_sync", "sync_xid", "sync_seq"),
    )


class PublicReportEvent(UUIDPrimaryKey, Base):
    """One step of a report's handling (intake, accept, transfer, reject, verify, reply,
    extend, reward). Immutable; transfers keep the from/to units. Never holds the identity."""

    __tablename__ = "public_report_event"

    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("public_report.id"), nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    actor_role: Mapped[str] = mapped_column(String(32), nullable=False)
    actor_subject: Mapped[str] = mapped_column(String(200), nullable=False)
    from_department_id: Mapped[uuid.UUID | None] = mapped_column()
    to_department_id: Mapped[uuid.UUID | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)

    __table_args__ = (Index("ix_public_report_event_report_id", "report_id", "occurred_at"),)


class ReportRoutingRule(UUIDPrimaryKey, Timestamps, Versioned, Base):
    """Where new reports go: the most specific active rule (category, sector, region prefix)
    with the lowest priority number wins. Reports about deaths always go to the county
    government, whatever the rules say."""

    __tablename__ = "report_routing_rule"

    category: Mapped[str | None] = mapped_column(String(32))
    sector: Mapped[str | None] = mapped_column(String(32))
    region_prefix: Mapped[str] = mapped_column(REGION_CODE, nullable=False)
    department_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("department.id"), nullable=False)
    priority: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=100)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    note: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (Index("ix_report_routing_rule_region_prefix", "region_prefix"),)


class PublicReportRateWindow(Base):
    """Fixed-window counters for the unauthenticated endpoints. ``client_key`` is an HMAC of
    the client address (never the address itself)."""

    __tablename__ = "public_report_rate_window"

    bucket: Mapped[str] = mapped_column(String(16), primary_key=True)
    client_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))

    __table_args__ = (Index("ix_public_report_rate_window_window_start", "window_start"),)


class PublicReportPhoto(UUIDPrimaryKey, Base):
    """A photo uploaded by the public for a report (metadata stripped); linked at intake."""

    __tablename__ = "public_report_photo"

    report_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("public_report.id"))
    content_type: Mapped[str] = mapped_column(String(64), nullable=False)
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    storage_key: Mapped[str] = mapped_column(String(255), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )

    __table_args__ = (
        Index("ix_public_report_photo_report_id", "report_id"),
        Index("ix_public_report_photo_created_at", "created_at"),
    )
