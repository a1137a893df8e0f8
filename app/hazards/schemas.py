"""Hazard schemas: the register, its filters, and one body per lifecycle action."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)
from pydantic.json_schema import SkipJsonSchema

from app.core.pagination import Page, SyncPage, sort_field
from app.core.timebounds import BoundedDate, BoundedDatetime, ObservedDatetime
from app.enterprises.schemas import Contact, GeoPoint
from app.hazards.enums import (
    EscalationGrounds,
    EscalationMeasure,
    HazardAction,
    HazardCategory,
    HazardLevel,
    HazardSource,
    HazardStatus,
    ListingLevel,
    ProductionOrder,
    TreatmentType,
)
from app.reference.enums import Sector

Money = Decimal  # serialised as a decimal string in yuan


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HazardCreate(_Input):
    """Report a hazard (step 1). It starts as `reported` and gets its human code."""

    id: uuid.UUID | None = Field(default=None, description="Client-chosen id (offline creation)")
    enterprise_id: uuid.UUID = Field(description="The unit where it was found (生产经营单位)")
    title: str = Field(min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=10_000)
    cause: str | None = Field(default=None, max_length=5_000, description="Cause (隐患成因)")
    sector: Sector
    place: str | None = Field(default=None, max_length=300, description="Place on site (部位)")
    location: GeoPoint | None = None
    category: HazardCategory
    level: HazardLevel | None = Field(default=None, description="Proposed level; set at register")
    criteria_clause_ids: list[uuid.UUID] = Field(
        default_factory=list, description="Major-hazard criteria clauses (重大事故隐患判定标准条款)"
    )
    expert_note: str | None = Field(default=None, max_length=5_000)
    treatment_type: TreatmentType | None = None
    source: HazardSource
    visit_id: uuid.UUID | None = Field(default=None, description="Inspection visit it came from")
    report_id: uuid.UUID | None = Field(default=None, description="Public report it came from")
    found_by_person_id: uuid.UUID | None = None
    found_by_name: str | None = Field(default=None, max_length=100)
    found_at: ObservedDatetime | None = Field(
        default=None, description="Default: now; from 2000 on, not in the future (5 min skew)"
    )
    responsible_person: Contact | None = None
    responsible_unit: str | None = Field(default=None, max_length=200)
    funds: Money | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    relapse_of_id: uuid.UUID | None = Field(
        default=None, description="A closed hazard this one repeats (look-back relapse, 反弹)"
    )


_Title = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class HazardUpdate(_Input):
    """Descriptive fields (JSON merge). Status, level and deadline change only through actions;
    the plan elements are writable while the hazard is `planning`."""

    title: _Title | SkipJsonSchema[None] = Field(
        default=None, description="Cannot be cleared (null is refused)"
    )
    description: str | None = Field(default=None, max_length=10_000)
    cause: str | None = Field(default=None, max_length=5_000)
    place: str | None = Field(default=None, max_length=300)
    location: GeoPoint | None = None
    category: HazardCategory | SkipJsonSchema[None] = Field(
        default=None, description="Cannot be cleared (null is refused)"
    )
    responsible_person: Contact | None = None
    responsible_unit: str | None = Field(default=None, max_length=200)
    measures: str | None = Field(default=None, max_length=10_000)
    funds: Money | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    plan_goals_tasks: str | None = Field(default=None, max_length=10_000)
    plan_methods_measures: str | None = Field(default=None, max_length=10_000)
    plan_funds_materials: str | None = Field(default=None, max_length=10_000)
    plan_organisation_people: str | None = Field(default=None, max_length=10_000)
    plan_time_requirements: str | None = Field(default=None, max_length=10_000)
    plan_safety_emergency: str | None = Field(default=None, max_length=10_000)


class Listing(BaseModel):
    """Supervised listing (挂牌督办)."""

    level: ListingLevel
    issuing_unit: str
    notice_number: str
    plan_due_on: date | None
    progress_interval_days: int | None
    listed_at: datetime | None


class Assessment(_Input):
    """Assessment of completed treatment by experts or an evaluation agency (评估)."""

    by: str = Field(min_length=1, max_length=300)
    on: BoundedDate
    opinion: str = Field(min_length=1, max_length=5_000)


class AcceptanceRecord(BaseModel):
    experts: list[str]
    on: date
    opinion: str
    accepted_by: str


class HazardRead(BaseModel):
    """A hazard (事故隐患). `overdue` is computed when read (deadline passed, still open)."""

    id: uuid.UUID
    code: str = Field(description="Human code <county>-<year>-<serial>")
    title: str
    description: str | None
    cause: str | None
    enterprise_id: uuid.UUID
    region_code: str
    sector: Sector
    place: str | None
    location: GeoPoint | None
    category: HazardCategory
    level: HazardLevel | None
    criteria_clause_ids: list[uuid.UUID]
    expert_note: str | None
    treatment_type: TreatmentType | None
    source: HazardSource
    visit_id: uuid.UUID | None
    report_id: uuid.UUID | None
    found_by_person_id: uuid.UUID | None
    found_by_name: str | None
    found_at: datetime
    reported_by: str
    responsible_person: Contact | None
    responsible_unit: str | None
    measures: str | None
    deadline: date | None = Field(description="Current rectification deadline (China date)")
    overdue: bool
    funds: Money | None
    order_department_id: uuid.UUID | None
    order_document_number: str | None
    production_order: ProductionOrder
    production_order_document: str | None
    listing: Listing | None
    plan_goals_tasks: str | None
    plan_methods_measures: str | None
    plan_funds_materials: str | None
    plan_organisation_people: str | None
    plan_time_requirements: str | None
    plan_safety_emergency: str | None
    plan_submitted_at: datetime | None
    last_progress_at: datetime | None
    extension_requested_deadline: date | None
    completed_at: datetime | None
    completion_note: str | None
    assessment: Assessment | None
    resumption_application: str | None
    resumption_approved_at: datetime | None
    assigned_expert_ids: list[uuid.UUID]
    acceptance: AcceptanceRecord | None
    escalation_measures: list[EscalationMeasure]
    escalated_at: datetime | None
    fine_amount: Money | None
    status: HazardStatus
    closed_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    relapse_of_id: uuid.UUID | None
    version: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = Field(default=None, description="Set on tombstones in sync")


class HazardPage(SyncPage[HazardRead]):
    pass


class HazardNearby(HazardRead):
    distance_m: float = Field(description="Great-circle distance from the query point, metres")


class HazardNearbyList(BaseModel):
    items: list[HazardNearby]


class HazardFilter(_Input):
    status: list[HazardStatus] = Field(default_factory=list)
    level: list[HazardLevel] = Field(default_factory=list)
    sector: list[Sector] = Field(default_factory=list)
    category: list[HazardCategory] = Field(default_factory=list)
    source: list[HazardSource] = Field(default_factory=list)
    region: str | None = Field(
        default=None, pattern=r"^\d{2,12}$", description="Region code; covers the whole subtree"
    )
    enterprise_id: list[uuid.UUID] = Field(default_factory=list)
    visit_id: uuid.UUID | None = None
    report_id: uuid.UUID | None = None
    overdue: bool | None = Field(default=None, description="Deadline passed and still open")
    deadline_from: BoundedDate | None = None
    deadline_to: BoundedDate | None = None
    found_from: BoundedDatetime | None = Field(default=None, description="Found at or after")
    found_to: BoundedDatetime | None = Field(default=None, description="Found before")
    responsible_person: str | None = Field(
        default=None, min_length=1, max_length=100, description="Responsible person's name"
    )
    listed: bool | None = Field(default=None, description="Under supervised listing (挂牌督办)")
    q: str | None = Field(
        default=None, min_length=1, max_length=100, description="Substring of title/description"
    )
    sort: str | None = sort_field(
        "found_at", "deadline", "code", "created_at", "updated_at", "id", default="-found_at"
    )
    limit: int | None = Field(default=None, ge=1, le=200)
    cursor: str | None = None
    changed_since: str | None = Field(default=None, description="Sync cursor; 0 for everything")


class NearbyFilter(_Input):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    radius_m: float = Field(
        gt=0,
        description="Search radius in metres (limit in settings, default 50 km)",
        json_schema_extra={"maximum": 50_000},
    )
    open_only: bool = Field(default=True, description="Only hazards not closed or cancelled")
    limit: int = Field(default=50, ge=1, le=200)


# ---- action bodies -------------------------------------------------------------------------


class ActionBase(_Input):
    """What every step records on the timeline."""

    comment: str | None = Field(default=None, max_length=5_000)
    document_numbers: list[str] = Field(
        default_factory=list, max_length=20, description="Document numbers (文号)"
    )
    location: GeoPoint | None = Field(default=None, description="Where the step was taken")
    attachment_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=50, description="Attachments of this hazard"
    )


class HazardRegister(ActionBase):
    """Register (or re-grade): the level; a major one needs criteria clauses or an expert note."""

    level: HazardLevel
    treatment_type: TreatmentType | None = Field(
        default=None, description="Required for a general hazard; a major one is by_deadline"
    )
    criteria_clause_ids: list[uuid.UUID] | None = None
    expert_note: str | None = Field(default=None, max_length=5_000)


class HazardRegradeMajor(ActionBase):
    """A general hazard found to be major while it is being rectified (re-grading later):
    → planning, on the major treatment path (see docs/hazards.md)."""

    reason: str = Field(min_length=1, max_length=5_000, description="Why it is major now")
    criteria_clause_ids: list[uuid.UUID] = Field(
        default_factory=list, description="Criteria clauses it matches (判定标准条款)"
    )
    expert_note: str | None = Field(default=None, max_length=5_000)
    production_order: ProductionOrder = Field(
        default=ProductionOrder.none, description="Stop order decided with the re-grading"
    )
    production_order_document: str | None = Field(default=None, max_length=100)


class HazardFixOnSpot(ActionBase):
    """Fixed on the spot (即查即改): needs an after-photo among `attachment_ids`."""

    measures: str | None = Field(default=None, max_length=10_000)


class HazardOrderRectification(ActionBase):
    responsible_person: Contact
    responsible_unit: str | None = Field(default=None, max_length=200)
    deadline: BoundedDate
    measures: str = Field(min_length=1, max_length=10_000)
    funds: Money | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    order_document_number: str | None = Field(
        default=None, max_length=100, description="责令限期整改指令书 number (departments)"
    )


class HazardReportMajor(ActionBase):
    production_order: ProductionOrder = ProductionOrder.none
    production_order_document: str | None = Field(default=None, max_length=100)
    responsible_person: Contact | None = None
    responsible_unit: str | None = Field(default=None, max_length=200)


class HazardListingCreate(ActionBase):
    level: ListingLevel
    issuing_unit: str = Field(min_length=1, max_length=200)
    notice_number: str = Field(min_length=1, max_length=100)
    plan_due_on: BoundedDate | None = None
    progress_interval_days: int | None = Field(default=None, ge=1, le=366)


class HazardPlanSubmit(ActionBase):
    """The six elements of a treatment plan; missing ones are taken from the saved draft."""

    plan_goals_tasks: str | None = Field(default=None, max_length=10_000)
    plan_methods_measures: str | None = Field(default=None, max_length=10_000)
    plan_funds_materials: str | None = Field(default=None, max_length=10_000)
    plan_organisation_people: str | None = Field(default=None, max_length=10_000)
    plan_time_requirements: str | None = Field(default=None, max_length=10_000)
    plan_safety_emergency: str | None = Field(default=None, max_length=10_000)
    deadline: BoundedDate | None = None
    responsible_person: Contact | None = None
    responsible_unit: str | None = Field(default=None, max_length=200)
    funds: Money | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)


class HazardProgress(ActionBase):
    comment: str = Field(min_length=1, max_length=5_000)


class HazardExtensionRequest(ActionBase):
    requested_deadline: BoundedDate
    reason: str = Field(min_length=1, max_length=5_000)


class HazardExtensionApprove(ActionBase):
    deadline: BoundedDate | None = Field(
        default=None, description="Default: the requested deadline"
    )


class HazardExtensionReject(ActionBase):
    reason: str = Field(min_length=1, max_length=5_000)


class HazardCompletion(ActionBase):
    """Completion with evidence; a major one needs an assessment, a suspended one an application
    to resume."""

    note: str = Field(min_length=1, max_length=5_000)
    assessment: Assessment | None = None
    resumption_application: str | None = Field(default=None, max_length=5_000)


class HazardAccept(ActionBase):
    opinion: str = Field(min_length=1, max_length=5_000, description="Acceptance opinion")
    experts: list[str] = Field(default_factory=list, max_length=30, description="Expert names")
    accepted_on: BoundedDate | None = Field(default=None, description="Default: today (China)")
    resumption_approved: bool = False
    resumption_document_number: str | None = Field(default=None, max_length=100)


class HazardRejectAcceptance(ActionBase):
    reason: str = Field(min_length=1, max_length=5_000)
    deadline: BoundedDate | None = Field(default=None, description="New deadline, if any")


class HazardEscalate(ActionBase):
    measure: EscalationMeasure
    grounds: EscalationGrounds
    document_number: str = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=5_000)
    fine_amount: Money | None = Field(default=None, gt=0, max_digits=14, decimal_places=2)


class HazardCancel(ActionBase):
    reason: str = Field(min_length=1, max_length=5_000)


class HazardLinkRelapse(ActionBase):
    relapse_of_id: uuid.UUID


class HazardAssignExperts(ActionBase):
    expert_ids: list[uuid.UUID] = Field(min_length=1, max_length=30)


# ---- timeline ------------------------------------------------------------------------------


class HazardEventRead(BaseModel):
    """One immutable step of the timeline."""

    id: uuid.UUID
    seq: int
    hazard_id: uuid.UUID
    occurred_at: datetime
    action: HazardAction
    from_status: HazardStatus | None
    to_status: HazardStatus
    actor_subject: str
    actor_role: str
    actor_person_id: uuid.UUID | None
    actor_department_id: uuid.UUID | None
    actor_enterprise_id: uuid.UUID | None
    actor_region_code: str | None
    comment: str | None
    document_numbers: list[str]
    location: GeoPoint | None
    attachment_ids: list[uuid.UUID]
    data: dict[str, object]
    hazard_version: int


class HazardEventPage(Page[HazardEventRead]):
    pass


class HazardEventFilter(_Input):
    limit: int | None = Field(default=None, ge=1, le=200)
    cursor: str | None = None


class HazardDeadlineRead(BaseModel):
    deadline: date
    previous_deadline: date | None
    reason: str
    set_by: str
    set_at: datetime


class HazardDeadlineList(BaseModel):
    items: list[HazardDeadlineRead]
