"""Inspection visits (检查), checklists, on-site records, enforcement documents, campaigns."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import REGION_CODE, Base, Syncable, Timestamps, UUIDPrimaryKey, Versioned


class Campaign(UUIDPrimaryKey, Timestamps, Versioned, Syncable, Base):
    """A special campaign (专项整治 / 专项行动): a named period over sectors and regions."""

    __tablename__ = "campaign"

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    document_number: Mapped[str | None] = mapped_column(String(100))
    issuer_department_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("department.id"))
    region_code: Mapped[str] = mapped_column(REGION_CODE, ForeignKey("region.code"), nullable=False)
    sectors: Mapped[list[str]] = mapped_column(ARRAY(String(32)), nullable=False)
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(Date, nullable=False)
    description: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_campaign_region_code", "region_code"),
        Index("ix_campaign_sync", "sync_xid", "sync_seq"),
    )


class ChecklistTemplate(UUIDPrimaryKey, Timestamps, Base):
    """A checklist for one sector; a new edition of the same ``code`` supersedes the last."""

    __tablename__ = "checklist_template"

    code: Mapped[str] = mapped_column(String(64), nullable=False)
    edition: Mapped[int] = mapped_column(Integer, nullable=False)
    sector: Mapped[str] = mapped_column(String(32), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    current: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    __table_args__ = (
        Index("uq_checklist_template_code_edition", "code", "edition", unique=True),
        Index("ix_checklist_template_sector", "sector"),
    )


class ChecklistItem(UUIDPrimaryKey, Base):
    """One line of a checklist: what to check, the legal basis, and the criteria clause (if a
    failure there is a major hazard)."""

    __tablename__ = "checklist_item"

    template_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("checklist_template.id", ondelete="CASCADE"), nullable=False
    )
    code: Mapped[str] = mapped_column(String(64), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    legal_basis: Mapped[str | None] = mapped_column(Text)
    criteria_clause_code: Mapped[str | None] = mapped_column(String(64))
    sort_order: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=0)

    __table_args__ = (
        Index("uq_checklist_item_template_id_code", "template_id", "code", unique=True),
    )


class InspectionVisit(UUIDPrimaryKey, Timestamps, Versioned, Syncable, Base):
    """One visit to one unit. Region and sectors are copied from the unit for scoping."""

    __tablename__ = "inspection_visit"

    type: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="planned")
    enterprise_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("enterprise.id"), nullable=False)
    region_code: Mapped[str] = mapped_column(REGION_CODE, nullable=False)
    sectors: Mapped[list[str]] = mapped_column(ARRAY(String(32)), nullable=False)
    lead_department_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("department.id"))
    participating_department_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(Uuid), nullable=False, default=list
    )
    leading_official: Mapped[str | None] = mapped_column(String(100))
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("campaign.id"))
    checklist_template_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("checklist_template.id")
    )
    planned_on: Mapped[date] = mapped_column(Date, nullable=False)
    purpose: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    checkin_lat: Mapped[float | None] = mapped_column(Float)
    checkin_lon: Mapped[float | None] = mapped_column(Float)
    checkin_distance_m: Mapped[float | None] = mapped_column(Float)
    checkin_reason: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    checkout_lat: Mapped[float | None] = mapped_column(Float)
    checkout_lon: Mapped[float | None] = mapped_column(Float)
    summary: Mapped[str | None] = mapped_column(Text)
    conclusion: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)

    __table_args__ = (
        Index("ix_inspection_visit_region_code", "region_code", "id"),
        Index("ix_inspection_visit_enterprise_id", "enterprise_id", "planned_on"),
        Index("ix_inspection_visit_planned_on", "planned_on"),
        Index("ix_inspection_visit_campaign_id", "campaign_id"),
        Index("ix_inspection_visit_sync", "sync_xid", "sync_seq"),
    )


class VisitMember(UUIDPrimaryKey, Base):
    """A person on a visit: inspector (with certificate number), leader, expert, staff."""

    __tablename__ = "visit_member"

    visit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("inspection_visit.id", ondelete="CASCADE"), nullable=False
    )
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("person.id"))
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    certificate_number: Mapped[str | None] = mapped_column(String(64))
    department_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("department.id"))
    sort_order: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=0)

    __table_args__ = (
        Index("ix_visit_member_visit_id", "visit_id"),
        Index("ix_visit_member_person_id", "person_id"),
    )


class VisitItemResult(UUIDPrimaryKey, Timestamps, Base):
    """The outcome of one checklist item during a visit (pass / fail / not applicable)."""

    __tablename__ = "visit_item_result"

    visit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("inspection_visit.id", ondelete="CASCADE"), nullable=False
    )
    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("checklist_item.id"), nullable=False)
    result: Mapped[str] = mapped_column(String(16), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    photo_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), nullable=False, default=list)
    hazard_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    recorded_by: Mapped[str] = mapped_column(String(200), nullable=False)

    __table_args__ = (
        Index("uq_visit_item_result_visit_id_item_id", "visit_id", "item_id", unique=True),
    )


class VisitHazard(Base):
    """A hazard a look-back or acceptance visit is about, and what the visit found."""

    __tablename__ = "visit_hazard"

    visit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("inspection_visit.id", ondelete="CASCADE"), primary_key=True
    )
    hazard_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    outcome: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    new_hazard_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index("ix_visit_hazard_hazard_id", "hazard_id"),)


class OnsiteRecord(Timestamps, Versioned, Base):
    """现场检查记录 (Art 68): immutable once anyone has signed it."""

    __tablename__ = "onsite_record"

    visit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("inspection_visit.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    place: Mapped[str | None] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(Text, nullable=False, default="")
    problems: Mapped[str] = mapped_column(Text, nullable=False, default="")
    handling: Mapped[str] = mapped_column(Text, nullable=False, default="")
    head_refused: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    refusal_note: Mapped[str | None] = mapped_column(Text)
    signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OnsiteSignature(UUIDPrimaryKey, Base):
    """A signature on the on-site record: an uploaded image or a signature event."""

    __tablename__ = "onsite_signature"

    visit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("onsite_record.visit_id", ondelete="CASCADE"), nullable=False
    )
    signer_role: Mapped[str] = mapped_column(String(16), nullable=False)
    member_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("visit_member.id"))
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    attachment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    signed_by: Mapped[str] = mapped_column(String(200), nullable=False)
    # own_account: the signer is the authenticated caller; inspector_device: the unit head
    # signed on an inspector's device (that inspector's member id in captured_by_member_id).
    capture: Mapped[str] = mapped_column(String(24), nullable=False, server_default="own_account")
    captured_by_member_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("visit_member.id"))

    __table_args__ = (
        Index("ix_onsite_signature_visit_id", "visit_id"),
        Index(
            "uq_onsite_signature_member_id",
            "member_id",
            unique=True,
            postgresql_where=text("member_id IS NOT NULL"),
        ),
    )


class EnforcementDocument(UUIDPrimaryKey, Timestamps, Versioned, Syncable, Base):
    """执法文书: a decision that drives hazard and enterprise state."""

    __tablename__ = "enforcement_document"

    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    number: Mapped[str] = mapped_column(String(100), nullable=False)
    enterprise_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("enterprise.id"), nullable=False)
    region_code: Mapped[str] = mapped_column(REGION_CODE, nullable=False)
    sectors: Mapped[list[str]] = mapped_column(ARRAY(String(32)), nullable=False)
    visit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("inspection_visit.id"))
    issuer_department_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("department.id"))
    issuer_name: Mapped[str] = mapped_column(String(200), nullable=False)
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    served_on: Mapped[date | None] = mapped_column(Date)
    legal_basis: Mapped[str] = mapped_column(Text, nullable=False)
    content: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    due_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(16))
    listing_level: Mapped[str | None] = mapped_column(String(16))
    hazard_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), nullable=False, default=list)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)

    __table_args__ = (
        Index("uq_enforcement_document_kind_number", "kind", "number", unique=True),
        Index("ix_enforcement_document_region_code", "region_code", "id"),
        Index("ix_enforcement_document_enterprise_id", "enterprise_id"),
        Index("ix_enforcement_document_hazard_ids", "hazard_ids", postgresql_using="gin"),
        Index("ix_enforcement_document_sync", "sync_xid", "sync_seq"),
    )
