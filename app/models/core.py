"""Plumbing tables: idempotency records, sync removals, the service clock of drills."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    String,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import REGION_CODE, Base, Versioned


class IdempotencyRecord(Base):
    """A stored POST response, replayed for a repeated ``Idempotency-Key`` from the same caller."""

    __tablename__ = "idempotency_record"

    caller: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # the execution holding the key: its business transaction commits only if it still holds it
    claim: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # set by that transaction (the fence): the key's work is done, never to be taken over
    committed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_headers: Mapped[list[list[str]] | None] = mapped_column(JSONB)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    expires_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, index=True
    )


class SyncRemoval(Base):
    """A row a follower must drop: it left a scope (with the scope it had before) or was deleted
    for good. Written by triggers (migration 0014), read by delta sync."""

    __tablename__ = "sync_removal"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    xid: Mapped[int] = mapped_column(BigInteger, nullable=False)
    resource: Mapped[str] = mapped_column(String(40), nullable=False)
    row_key: Mapped[str] = mapped_column(String(64), nullable=False)
    reason: Mapped[str] = mapped_column(String(16), nullable=False)  # out_of_scope | deleted
    region_code: Mapped[str | None] = mapped_column(REGION_CODE)
    sectors: Mapped[list[str] | None] = mapped_column(ARRAY(String(32)))
    enterprise_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    removed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )

    __table_args__ = (Index("ix_sync_removal_resource_xid_seq", "resource", "xid", "seq"),)


class ServiceClock(Versioned, Base):
    """The drill offset of the service clock (one row, ``id = 1``): development and test
    environments move "now" by it so that deadlines, reminders, escalation, acceptance reviews
    and look-backs can be exercised end to end. Production ignores it and refuses to set it."""

    __tablename__ = "service_clock"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    offset_seconds: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    updated_by: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(500))
