"""Hazards (事故隐患): the register, deadline history, the immutable timeline, code counters.

Service functions other domains call are described in ``app/hazards/interface.md``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Computed,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from app.models.base import REGION_CODE, Base, Syncable, Timestamps, UUIDPrimaryKey, Versioned

# Statuses in which a hazard is finished: never overdue, no more actions except look-back.
TERMINAL_STATUSES = ("closed", "cancelled")


class Hazard(UUIDPrimaryKey, Timestamps, Versioned, Syncable, Base):
    """One hazard. ``status`` follows the lifecycle table; overdue is computed, never stored."""

    __tablename__ = "hazard"

    # Human code: <county code>-<year>-<6-digit serial>, gapless per county and year.
    code: Mapped[str] = mapped_column(String(24), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    cause: Mapped[str | None] = mapped_column(Text)

    # The unit, and (copied from it at creation) its region and sectors for row scoping.
    enterprise_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("enterprise.id"), nullable=False)
    region_code: Mapped[str] = mapped_column(REGION_CODE, ForeignKey("region.code"), nullable=False)
    county_code: Mapped[str] = mapped_column(
        String(6, collation="C"), Computed("substr(region_code, 1, 6)", persisted=True)
    )
    # enterprise sectors plus the hazard sector: what sector-bound departments match on
    sectors: Mapped[list[str]] = mapped_column(ARRAY(String(32)), nullable=False)
    sector: Mapped[str] = mapped_column(String(32), nullable=False)
    place: Mapped[str | None] = mapped_column(String(300))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)

    # Classification
    category: Mapped[str] = mapped_column(String(32), nullable=False)
    level: Mapped[str | None] = mapped_column(String(16))  # set at registration (or reported)
    criteria_clause_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(Uuid), nullable=False, default=list
    )
    expert_note: Mapped[str | None] = mapped_column(Text)
    treatment_type: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(32), nullable=False)
    visit_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # inspection visit (no FK yet)
    report_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # public report (no FK yet)

    # Who found it, who answers for it
    found_by_person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("person.id"))
    found_by_name: Mapped[str | None] = mapped_column(String(100))
    found_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    reported_by: Mapped[str] = mapped_column(String(200), nullable=False)  # subject of reporter
    reported_by_role: Mapped[str] = mapped_column(String(32), nullable=False)
    registered_by: Mapped[str | None] = mapped_column(String(200))  # subject who registered
    responsible_person: Mapped[dict[str, Any] | None] = mapped_column(JSONB)  # {name, phone}
    responsible_unit: Mapped[str | None] = mapped_column(String(200))
    measures: Mapped[str | None] = mapped_column(Text)  # rectification measures (整改措施)
    deadline: Mapped[date | None] = mapped_column(Date)  # every version in hazard_deadline
    funds: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))

    # Rectification order (责令限期整改指令书), when a department ordered it
    order_department_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("department.id"))
    order_document_number: Mapped[str | None] = mapped_column(String(100))

    # Production order with its document
    production_order: Mapped[str] = mapped_column(String(16), nullable=False, default="none")
    production_order_document: Mapped[str | None] = mapped_column(String(100))

    # Supervised listing (挂牌督办)
    listing_level: Mapped[str | None] = mapped_column(String(16))
    listing_issuing_unit: Mapped[str | None] = mapped_column(String(200))
    listing_notice_number: Mapped[str | None] = mapped_column(String(100))
    listing_plan_due_on: Mapped[date | None] = mapped_column(Date)
    listing_progress_interval_days: Mapped[int | None] = mapped_column(SmallInteger)
    listed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # Treatment plan of a major hazard (治理方案): six elements, each required to leave planning
    plan_goals_tasks: Mapped[str | None] = mapped_column(Text)
    plan_methods_measures: Mapped[str | None] = mapped_column(Text)
    plan_funds_materials: Mapped[str | None] = mapped_column(Text)
    plan_organisation_people: Mapped[str | None] = mapped_column(Text)
    plan_time_requirements: Mapped[str | None] = mapped_column(Text)
    plan_safety_emergency: Mapped[str | None] = mapped_column(Text)
    plan_submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # Progress, extension, completion
    last_progress_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    extension_requested_deadline: Mapped[date | None] = mapped_column(Date)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completion_note: Mapped[str | None] = mapped_column(Text)
    assessment: Mapped[dict[str, Any] | None] = mapped_column(JSONB)  # {by, on, opinion}
    resumption_application: Mapped[str | None] = mapped_column(Text)
    resumption_approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resumption_document_number: Mapped[str | None] = mapped_column(String(100))

    # Acceptance (验收) and closing (销号)
    assigned_expert_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(Uuid), nullable=False, default=list
    )
    acceptance: Mapped[dict[str, Any] | None] = mapped_column(JSONB)  # {experts, on, opinion}
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    relapse_of_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("hazard.id"))

    # Escalation (fine, suspension, power cut notice, request for closure)
    escalation_measures: Mapped[list[str]] = mapped_column(
        ARRAY(String(32)), nullable=False, default=list
    )
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    fine_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))

    # Chinese substring search over title + description (GIN over character n-grams)
    search_ngrams: Mapped[list[str]] = mapped_column(
        ARRAY(Text),
        Computed("anjian_ngrams(title || ' ' || coalesce(description, ''))", persisted=True),
    )

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, object]:  # noqa: N805
        # Server-set values (updated_at, generated columns) come back in the INSERT/UPDATE's
        # RETURNING, so a lifecycle step can answer from the object without reading it again.
        return {"version_id_col": cls.version, "eager_defaults": True}

    __table_args__ = (
        Index("uq_hazard_code", "code", unique=True),
        # County + status page in found order (the hot list); keyset on (found_at, id).
        Index("ix_hazard_county_status_found", "county_code", "status", "found_at", "id"),
        Index("ix_hazard_region_found", "region_code", "found_at", "id"),
        # A county's newest first: searched for a frequent term, it is walked in order.
        Index("ix_hazard_county_found", "county_code", "found_at", "id"),
        Index("ix_hazard_found_at", "found_at", "id"),
        Index("ix_hazard_enterprise_found", "enterprise_id", "found_at"),
        # Overdue and deadline ranges only concern open hazards.
        Index(
            "ix_hazard_open_deadline",
            "deadline",
            "id",
            postgresql_where=text("status NOT IN ('closed', 'cancelled')"),
        ),
        Index("ix_hazard_lat_lon", "lat", "lon"),
        Index("ix_hazard_search_ngrams", "search_ngrams", postgresql_using="gin"),
        Index("ix_hazard_assigned_expert_ids", "assigned_expert_ids", postgresql_using="gin"),
        Index("ix_hazard_visit_id", "visit_id", postgresql_where=text("visit_id IS NOT NULL")),
        Index("ix_hazard_report_id", "report_id", postgresql_where=text("report_id IS NOT NULL")),
        Index(
            "ix_hazard_relapse_of_id",
            "relapse_of_id",
            postgresql_where=text("relapse_of_id IS NOT NULL"),
        ),
        Index("ix_hazard_sync", "sync_xid", "sync_seq"),
    )


class HazardCodeCounter(Base):
    """Last serial given per county and year; locked by ``UPDATE … RETURNING`` (gapless)."""

    __tablename__ = "hazard_code_counter"

    county_code: Mapped[str] = mapped_column(String(6, collation="C"), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, nullable=False)


class HazardDeadline(UUIDPrimaryKey, Base):
    """Every deadline a hazard ever had (initial, extension approved, re-ordered)."""

    __tablename__ = "hazard_deadline"

    hazard_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("hazard.id", ondelete="CASCADE"), nullable=False
    )
    deadline: Mapped[date] = mapped_column(Date, nullable=False)
    previous_deadline: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(32), nullable=False)  # order/extension/...
    set_by: Mapped[str] = mapped_column(String(200), nullable=False)
    set_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    event_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    __table_args__ = (Index("ix_hazard_deadline_hazard_id", "hazard_id", "set_at"),)


class HazardEvent(Base):
    """One step of the timeline: append-only (a trigger refuses UPDATE and DELETE)."""

    __tablename__ = "hazard_event"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, Identity(always=True), nullable=False)
    hazard_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("hazard.id"), nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32), nullable=False)
    actor_subject: Mapped[str] = mapped_column(String(200), nullable=False)
    actor_role: Mapped[str] = mapped_column(String(32), nullable=False)
    actor_person_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor_department_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor_enterprise_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor_region_code: Mapped[str | None] = mapped_column(REGION_CODE)
    comment: Mapped[str | None] = mapped_column(Text)
    document_numbers: Mapped[list[str]] = mapped_column(
        ARRAY(String(100)), nullable=False, default=list
    )
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    attachment_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(Uuid), nullable=False, default=list
    )
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    hazard_version: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = (Index("ix_hazard_event_hazard_id", "hazard_id", "seq"),)
