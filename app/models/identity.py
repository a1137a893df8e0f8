"""People and API keys."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import (
    REGION_CODE,
    Base,
    Syncable,
    SyncStamped,
    Timestamps,
    UUIDPrimaryKey,
    Versioned,
)


class Person(UUIDPrimaryKey, Timestamps, Versioned, Syncable, Base):
    """An official, inspector, enterprise staff member or expert."""

    __tablename__ = "person"

    subject: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    position: Mapped[str | None] = mapped_column(String(32))
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(32)), nullable=False, default=list)
    phone: Mapped[str | None] = mapped_column(String(40))
    certificate_number: Mapped[str | None] = mapped_column(String(64))
    department_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("department.id"))
    enterprise_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("enterprise.id"))
    region_code: Mapped[str | None] = mapped_column(REGION_CODE, ForeignKey("region.code"))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    __table_args__ = (
        Index(
            "uq_person_subject",
            "subject",
            unique=True,
            postgresql_where=text("subject IS NOT NULL AND deleted_at IS NULL"),
        ),
        Index("ix_person_region_code", "region_code", "id"),
        Index("ix_person_department_id", "department_id"),
        Index("ix_person_enterprise_id", "enterprise_id"),
        Index("ix_person_sync", "sync_xid", "sync_seq"),
    )


class ApiKey(UUIDPrimaryKey, Timestamps, SyncStamped, Base):
    """A key for another government system: shown once, stored as a SHA-256 hash."""

    __tablename__ = "api_key"

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    prefix: Mapped[str] = mapped_column(String(16), nullable=False, unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    role: Mapped[str] = mapped_column(String(32), nullable=False, default="system")
    region_code: Mapped[str | None] = mapped_column(REGION_CODE)
    sectors: Mapped[list[str] | None] = mapped_column(ARRAY(String(32)))
    read_only: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_api_key_sync", "sync_xid", "sync_seq"),)


class IdentitySubject(Base):
    """What a subject without a person record signed in as (its IdP's claims): the roles and
    regions it used. Binding such a subject to a person record follows the role hierarchy
    (``app.people.rules.check_subject_binding``): nobody takes over a subject that signed in
    with more than they may grant, or outside their region."""

    __tablename__ = "identity_subject"

    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(32)), nullable=False)
    region_codes: Mapped[list[str]] = mapped_column(ARRAY(String(12)), nullable=False)
    unscoped: Mapped[bool] = mapped_column(Boolean, nullable=False)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
