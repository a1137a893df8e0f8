"""Responsibility (责任落实): assignments with validity periods, major hazard sources, snapshots.

Assignments are never overwritten: a change of holder ends one (``valid_to`` + reason) and
starts the next. ``seat_key`` (generated) names the seat an assignment occupies; a constraint
trigger (see the migration) refuses two assignments of one seat with overlapping validity,
serialising writers of the same seat with an advisory lock (core PostgreSQL only, no btree_gist).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSTZRANGE, Range
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import REGION_CODE, Base, Syncable, Timestamps, UUIDPrimaryKey, Versioned

# Kinds where several holders may serve the same object at once: the seat includes the holder.
MULTI_HOLDER_KINDS = ("departmental_supervision", "enterprise_safety_manager")

SEAT_KEY_SQL = (
    "kind || '|' || object_type || ':' || coalesce(object_region_code, '') || ':' "
    "|| coalesce(object_sector, '') || ':' || coalesce(object_enterprise_id::text, '') || ':' "
    "|| coalesce(object_hazard_id::text, '') || ':' "
    "|| coalesce(object_major_hazard_source_id::text, '') || '|' || CASE "
    "WHEN kind IN ('departmental_supervision', 'enterprise_safety_manager') "
    "THEN coalesce(holder_person_id::text, holder_department_id::text, '') "
    "WHEN kind = 'territorial' THEN holder_type ELSE '' END"
)
VALIDITY_SQL = "tstzrange(valid_from, valid_to, '[)')"


class MajorHazardSource(UUIDPrimaryKey, Timestamps, Versioned, Base):
    """重大危险源: a site holding dangerous chemicals above threshold, graded 1 (worst) to 4."""

    __tablename__ = "major_hazard_source"

    enterprise_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("enterprise.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    grade: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    record_number: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)

    __table_args__ = (
        CheckConstraint("grade BETWEEN 1 AND 4", name="grade"),
        Index("ix_major_hazard_source_enterprise_id", "enterprise_id"),
    )


class ResponsibilityAssignment(UUIDPrimaryKey, Timestamps, Versioned, Syncable, Base):
    """Who (a person or a unit) answers for what (region, sector in region, enterprise, hazard,
    major hazard source), from when to when, under which document."""

    __tablename__ = "responsibility_assignment"

    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    holder_type: Mapped[str] = mapped_column(String(16), nullable=False)
    holder_person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("person.id"))
    holder_department_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("department.id"))
    object_type: Mapped[str] = mapped_column(String(32), nullable=False)
    object_region_code: Mapped[str | None] = mapped_column(REGION_CODE, ForeignKey("region.code"))
    object_sector: Mapped[str | None] = mapped_column(String(32))
    object_enterprise_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("enterprise.id"))
    object_hazard_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # hazard (no FK: see docs)
    object_major_hazard_source_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("major_hazard_source.id")
    )
    seat_key: Mapped[str] = mapped_column(Text, Computed(SEAT_KEY_SQL, persisted=True))
    duties: Mapped[str | None] = mapped_column(Text)
    required_visit_days: Mapped[int | None] = mapped_column(SmallInteger)
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    validity: Mapped[Range[datetime]] = mapped_column(
        TSTZRANGE, Computed(VALIDITY_SQL, persisted=True)
    )
    appointing_unit: Mapped[str | None] = mapped_column(String(200))
    document_number: Mapped[str | None] = mapped_column(String(100))
    public_display: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    end_reason: Mapped[str | None] = mapped_column(Text)
    ended_by: Mapped[str | None] = mapped_column(String(200))
    predecessor_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("responsibility_assignment.id")
    )
    # Scope of the object, copied at creation (row scoping like hazards and visits).
    region_code: Mapped[str] = mapped_column(REGION_CODE, nullable=False)
    sectors: Mapped[list[str]] = mapped_column(ARRAY(String(32)), nullable=False)
    enterprise_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    # Re-confirmation (请确认您是否仍承担该项安全生产责任): asked by the worker every N days,
    # answered by the holder (confirm, or decline with a reason).
    confirmation_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    declined_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decline_reason: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        CheckConstraint(
            "(holder_type = 'person' AND holder_person_id IS NOT NULL "
            "AND holder_department_id IS NULL) OR (holder_type = 'department' "
            "AND holder_department_id IS NOT NULL AND holder_person_id IS NULL)",
            name="holder",
        ),
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="period"),
        CheckConstraint(
            "required_visit_days IS NULL OR required_visit_days > 0", name="visit_days"
        ),
        Index("ix_responsibility_assignment_seat", "seat_key", "valid_from"),
        Index(
            "ix_responsibility_assignment_holder_person_id",
            "holder_person_id",
            postgresql_where=text("holder_person_id IS NOT NULL"),
        ),
        Index(
            "ix_responsibility_assignment_holder_department_id",
            "holder_department_id",
            postgresql_where=text("holder_department_id IS NOT NULL"),
        ),
        Index(
            "ix_responsibility_assignment_object_enterprise_id",
            "object_enterprise_id",
            postgresql_where=text("object_enterprise_id IS NOT NULL"),
        ),
        Index(
            "ix_responsibility_assignment_object_hazard_id",
            "object_hazard_id",
            postgresql_where=text("object_hazard_id IS NOT NULL"),
        ),
        Index(
            "ix_responsibility_assignment_object_mhs",
            "object_major_hazard_source_id",
            postgresql_where=text("object_major_hazard_source_id IS NOT NULL"),
        ),
        Index(
            "ix_responsibility_assignment_object_region",
            "object_region_code",
            "object_sector",
            postgresql_where=text("object_region_code IS NOT NULL"),
        ),
        Index("ix_responsibility_assignment_region_code", "region_code", "id"),
        Index(
            "ix_responsibility_assignment_valid_to",
            "valid_to",
            postgresql_where=text("valid_to IS NOT NULL"),
        ),
        Index("ix_responsibility_assignment_sync", "sync_xid", "sync_seq"),
    )


class ResponsibilitySnapshot(UUIDPrimaryKey, Base):
    """The hazard's responsibility chain frozen when it became overdue, escalated or closed."""

    __tablename__ = "responsibility_snapshot"

    hazard_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    reason: Mapped[str] = mapped_column(String(16), nullable=False)
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    chain: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    event_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    enterprise_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    region_code: Mapped[str] = mapped_column(REGION_CODE, nullable=False)
    sectors: Mapped[list[str]] = mapped_column(ARRAY(String(32)), nullable=False)

    __table_args__ = (Index("ix_responsibility_snapshot_hazard_id", "hazard_id", "taken_at"),)
