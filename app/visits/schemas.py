"""Inspection visit schemas (检查): planning, lifecycle, results, findings, reports."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import Page, SyncPage, sort_field
from app.core.timebounds import BoundedDate, ObservedDatetime
from app.enterprises.schemas import GeoPoint
from app.reference.enums import RiskGrade, Sector
from app.visits.enums import (
    AcceptanceResult,
    ItemResult,
    LookbackOutcome,
    MemberRole,
    VisitStatus,
    VisitType,
)

_FORBID = ConfigDict(extra="forbid")


class MemberIn(BaseModel):
    """A person on the visit. Inspectors carry their law-enforcement certificate number."""

    model_config = _FORBID

    role: MemberRole
    name: str = Field(min_length=1, max_length=100)
    person_id: uuid.UUID | None = Field(default=None, description="The person's record, if any")
    certificate_number: str | None = Field(
        default=None, max_length=64, description="执法证号; required for inspectors"
    )
    department_id: uuid.UUID | None = None


class MemberRead(BaseModel):
    id: uuid.UUID
    role: MemberRole
    name: str
    person_id: uuid.UUID | None
    certificate_number: str | None
    department_id: uuid.UUID | None


class VisitCreate(BaseModel):
    model_config = _FORBID

    id: uuid.UUID | None = Field(default=None, description="Client-chosen id (offline creation)")
    type: VisitType
    enterprise_id: uuid.UUID = Field(description="The inspected unit (被检查单位)")
    lead_department_id: uuid.UUID | None = Field(
        default=None, description="Lead unit; defaults to the caller's department"
    )
    participating_department_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=20, description="Other units (a joint visit has several)"
    )
    leading_official: str | None = Field(default=None, max_length=100, description="带队领导")
    members: list[MemberIn] = Field(default_factory=list, max_length=50)
    campaign_id: uuid.UUID | None = None
    checklist_template_id: uuid.UUID | None = None
    planned_on: BoundedDate
    purpose: str | None = Field(default=None, max_length=2000)
    hazard_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=100,
        description="Look-back: closed hazards to re-check; acceptance: hazards pending "
        "verification",
    )


class VisitUpdate(BaseModel):
    """Writable while planned (JSON merge semantics)."""

    model_config = _FORBID

    planned_on: BoundedDate | None = None
    purpose: str | None = Field(default=None, max_length=2000)
    leading_official: str | None = Field(default=None, max_length=100)
    participating_department_ids: list[uuid.UUID] | None = Field(default=None, max_length=20)
    members: list[MemberIn] | None = Field(default=None, max_length=50)
    checklist_template_id: uuid.UUID | None = None
    campaign_id: uuid.UUID | None = None


class VisitHazardRead(BaseModel):
    hazard_id: uuid.UUID
    outcome: LookbackOutcome | AcceptanceResult | None = Field(
        description="held / relapsed (look-back); passed / failed (acceptance); null until recorded"
    )
    note: str | None
    new_hazard_id: uuid.UUID | None = Field(description="The hazard opened for a relapse")
    decided_at: datetime | None


class VisitRead(BaseModel):
    """An inspection visit (检查)."""

    id: uuid.UUID
    type: VisitType
    status: VisitStatus
    enterprise_id: uuid.UUID
    region_code: str
    sectors: list[Sector]
    lead_department_id: uuid.UUID | None
    participating_department_ids: list[uuid.UUID]
    leading_official: str | None
    campaign_id: uuid.UUID | None
    checklist_template_id: uuid.UUID | None
    planned_on: date
    purpose: str | None
    started_at: datetime | None
    checkin_location: GeoPoint | None
    checkin_distance_m: float | None = Field(description="Distance from the unit at check-in")
    checkin_reason: str | None
    completed_at: datetime | None
    checkout_location: GeoPoint | None
    summary: str | None
    conclusion: str | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    members: list[MemberRead] = Field(default_factory=list)
    hazards: list[VisitHazardRead] = Field(default_factory=list)
    version: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None


class VisitPage(SyncPage[VisitRead]):
    pass


class VisitFilter(BaseModel):
    model_config = _FORBID

    type: list[VisitType] = Field(default_factory=list)
    status: list[VisitStatus] = Field(default_factory=list)
    enterprise_id: uuid.UUID | None = None
    campaign_id: uuid.UUID | None = None
    region: str | None = Field(default=None, pattern=r"^\d{2,12}$")
    planned_from: BoundedDate | None = None
    planned_to: BoundedDate | None = None
    sort: str | None = sort_field("planned_on", "created_at", "updated_at", "id")
    limit: int | None = Field(default=None, ge=1, le=200)
    cursor: str | None = None
    changed_since: str | None = None


class CheckIn(BaseModel):
    """Start the visit: where and when the team arrived."""

    model_config = _FORBID

    at: ObservedDatetime | None = Field(
        default=None,
        description="Arrival time (RFC 3339, with an offset; not in the future); default now",
    )
    location: GeoPoint
    reason: str | None = Field(
        default=None, max_length=2000, description="Required when farther than the allowed radius"
    )


class Complete(BaseModel):
    model_config = _FORBID

    at: ObservedDatetime | None = Field(
        default=None,
        description="Check-out time (RFC 3339, with an offset; not in the future); default now",
    )
    location: GeoPoint | None = None
    summary: str = Field(min_length=1, max_length=10000)
    conclusion: str = Field(min_length=1, max_length=10000)


class Cancel(BaseModel):
    model_config = _FORBID

    reason: str = Field(min_length=1, max_length=2000)


class ResultIn(BaseModel):
    """The result of one checklist item. ``raise_hazard`` on a failed item also reports the
    hazard (pre-filled from the item) in the same call."""

    model_config = _FORBID

    result: ItemResult
    note: str | None = Field(default=None, max_length=4000)
    photo_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=20, description="Attachment ids"
    )
    raise_hazard: bool = False
    hazard_description: str | None = Field(
        default=None, max_length=4000, description="Overrides the pre-filled description"
    )


class ResultRead(BaseModel):
    id: uuid.UUID
    item_id: uuid.UUID
    item_code: str
    item_text: str
    criteria_clause_code: str | None
    result: ItemResult
    note: str | None
    photo_ids: list[uuid.UUID]
    hazard_id: uuid.UUID | None
    updated_at: datetime


class ResultList(BaseModel):
    items: list[ResultRead]


class FindingCounts(BaseModel):
    items: int = Field(description="Items on the checklist")
    passed: int
    failed: int
    not_applicable: int
    unchecked: int
    hazards: int
    major_hazards: int


class FindingHazard(BaseModel):
    id: uuid.UUID
    level: str | None
    status: str | None
    title: str


class Findings(BaseModel):
    """What the visit found: failed items and the hazards raised (with counts)."""

    counts: FindingCounts
    failed_items: list[ResultRead]
    hazards: list[FindingHazard]


class LookbackOutcomeIn(BaseModel):
    model_config = _FORBID

    hazard_id: uuid.UUID
    outcome: LookbackOutcome
    note: str | None = Field(default=None, max_length=4000)
    description: str | None = Field(
        default=None, max_length=4000, description="Relapse: the new hazard's description"
    )


class AcceptanceResultIn(BaseModel):
    model_config = _FORBID

    hazard_id: uuid.UUID
    result: AcceptanceResult
    note: str | None = Field(
        default=None, max_length=4000, description="Opinion; the reasons are required when failed"
    )


class CoverageFilter(BaseModel):
    model_config = _FORBID

    region: str | None = Field(default=None, pattern=r"^\d{2,12}$")
    sector: list[Sector] = Field(default_factory=list)
    from_: BoundedDate = Field(alias="from")
    to: BoundedDate
    limit: int | None = Field(default=None, ge=1, le=200)
    cursor: str | None = None


class CoverageItem(BaseModel):
    enterprise_id: uuid.UUID
    name: str
    region_code: str
    sectors: list[Sector]
    risk_grade: RiskGrade | None
    last_visited_at: datetime | None = Field(description="Last visit started before the period")


class CoveragePage(Page[CoverageItem]):
    pass


class CalendarFilter(BaseModel):
    model_config = _FORBID

    from_: BoundedDate = Field(alias="from")
    to: BoundedDate
    unit: uuid.UUID | None = Field(default=None, description="Department (lead or participating)")
    inspector: uuid.UUID | None = Field(default=None, description="Person on the visit")


class CalendarEntry(BaseModel):
    id: uuid.UUID
    type: VisitType
    status: VisitStatus
    planned_on: date
    enterprise_id: uuid.UUID
    enterprise_name: str
    lead_department_id: uuid.UUID | None


class CalendarDay(BaseModel):
    date: date
    visits: list[CalendarEntry]


class Calendar(BaseModel):
    days: list[CalendarDay]
