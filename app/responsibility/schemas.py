"""Responsibility schemas: assignments, major hazard sources, chains, gaps, snapshots."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from app.core.pagination import Page, SyncPage, sort_field
from app.core.timebounds import BoundedDatetime
from app.hazards.enums import HazardStatus
from app.reference.enums import EnterpriseStatus, RiskGrade, Sector
from app.responsibility.enums import (
    ChainSource,
    ConfirmationState,
    GapKind,
    HolderType,
    ObjectType,
    ResponsibilityKind,
    SnapshotReason,
)

_REGION = r"^\d{6}(\d{3})?$"


def _period_ok(valid_from: datetime | None, valid_to: datetime | None) -> None:
    if valid_from is not None and valid_to is not None and valid_to <= valid_from:
        raise ValueError("valid_to must be after valid_from")


class ResponsibilityAssignmentCreate(BaseModel):
    """A new assignment (责任落实). The holder is a person or a unit; the object is one of region,
    sector in a region, enterprise, hazard or major hazard source, as the kind allows."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(default=None, description="Client-chosen id (offline creation)")
    kind: ResponsibilityKind
    holder_person_id: uuid.UUID | None = Field(default=None, description="Holder (a person)")
    holder_department_id: uuid.UUID | None = Field(
        default=None, description="Holder (a government unit), for departmental and territorial"
    )
    object_type: ObjectType
    object_region_code: str | None = Field(
        default=None,
        pattern=_REGION,
        description="Region (county or town) for region and sector_region objects",
    )
    object_sector: Sector | None = Field(default=None, description="Sector, for sector_region")
    object_enterprise_id: uuid.UUID | None = None
    object_hazard_id: uuid.UUID | None = None
    object_major_hazard_source_id: uuid.UUID | None = None
    duties: str | None = Field(default=None, max_length=4000, description="Duties (职责)")
    required_visit_days: int | None = Field(
        default=None,
        ge=1,
        le=3650,
        description="Required visit frequency: at most this many "
        "days between visits (defaults by kind from settings)",
    )
    valid_from: BoundedDatetime | None = Field(default=None, description="Start; default now")
    valid_to: BoundedDatetime | None = Field(
        default=None, description="End (exclusive); open if null"
    )
    appointing_unit: str | None = Field(
        default=None, max_length=200, description="Appointing unit (任命单位)"
    )
    document_number: str | None = Field(
        default=None, max_length=100, description="Appointing document number (文号)"
    )
    public_display: bool = Field(default=False, description="Shown publicly (公示)")

    @model_validator(mode="after")
    def _period(self) -> ResponsibilityAssignmentCreate:
        _period_ok(self.valid_from, self.valid_to)
        return self


class ResponsibilityAssignmentUpdate(BaseModel):
    """Descriptive fields only: holder, object and period change only through end / hand-over."""

    model_config = ConfigDict(extra="forbid")

    duties: str | None = Field(default=None, max_length=4000)
    required_visit_days: int | None = Field(default=None, ge=1, le=3650)
    appointing_unit: str | None = Field(default=None, max_length=200)
    document_number: str | None = Field(default=None, max_length=100)
    public_display: bool | SkipJsonSchema[None] = Field(
        default=None, description="Cannot be cleared (null is refused)"
    )


class ResponsibilityAssignmentRead(BaseModel):
    """An assignment with its holder and object names; never overwritten, only ended."""

    id: uuid.UUID
    kind: ResponsibilityKind
    holder_type: HolderType
    holder_person_id: uuid.UUID | None
    holder_department_id: uuid.UUID | None
    holder_name: str | None
    object_type: ObjectType
    object_region_code: str | None
    object_sector: Sector | None
    object_enterprise_id: uuid.UUID | None
    object_hazard_id: uuid.UUID | None
    object_major_hazard_source_id: uuid.UUID | None
    object_name: str | None
    enterprise_id: uuid.UUID | None = Field(description="The enterprise the object belongs to")
    region_code: str
    duties: str | None
    required_visit_days: int | None
    valid_from: datetime
    valid_to: datetime | None
    current: bool = Field(description="Valid now")
    appointing_unit: str | None
    document_number: str | None
    public_display: bool
    end_reason: str | None
    ended_by: str | None
    predecessor_id: uuid.UUID | None
    confirmation: ConfirmationState = Field(
        description="Re-confirmation (复核确认): not_requested, requested (unanswered), "
        "confirmed or declined (the last two since the last request)"
    )
    confirmation_requested_at: datetime | None = Field(
        description="When the holder was last asked to re-confirm"
    )
    last_confirmed_at: datetime | None
    declined_at: datetime | None
    decline_reason: str | None
    answered_by: str | None = Field(description="Who gave the last answer")
    version: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = Field(default=None, description="Set on tombstones in sync")


class ResponsibilityAssignmentPage(SyncPage[ResponsibilityAssignmentRead]):
    pass


class ResponsibilityAssignmentFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: list[ResponsibilityKind] = Field(default_factory=list)
    object_type: list[ObjectType] = Field(default_factory=list)
    holder_person_id: uuid.UUID | None = None
    holder_department_id: uuid.UUID | None = None
    enterprise_id: uuid.UUID | None = Field(
        default=None, description="Objects of this enterprise (itself, its hazards and sources)"
    )
    object_hazard_id: uuid.UUID | None = None
    object_major_hazard_source_id: uuid.UUID | None = None
    region: str | None = Field(
        default=None, pattern=r"^\d{2,12}$", description="Region code; covers the whole subtree"
    )
    at: BoundedDatetime | None = Field(default=None, description="Only assignments valid then")
    public_display: bool | None = Field(
        default=None, description="Only those shown publicly (公示) or only those not"
    )
    sort: str | None = sort_field("valid_from", "created_at", "id")
    limit: int | None = Field(default=None, ge=1, le=200)
    cursor: str | None = None
    changed_since: str | None = Field(default=None, description="Sync cursor; 0 for everything")


class ResponsibilityConfirm(BaseModel):
    """The holder confirms they still hold the responsibility (仍承担该项安全生产责任)."""

    model_config = ConfigDict(extra="forbid")

    comment: str | None = Field(default=None, max_length=2000)


class ResponsibilityDecline(BaseModel):
    """The holder declines: they no longer (or never did) hold it, with the reason. The
    assignment stays until the appointing unit ends it or hands it over; meanwhile it is a gap."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


class ResponsibilityEnd(BaseModel):
    """End an assignment (it stays in the history)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)
    at: BoundedDatetime | None = Field(default=None, description="End time; default now")


class ResponsibilityHandOver(BaseModel):
    """End the assignment and start the successor's at the same instant, atomically."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)
    at: BoundedDatetime | None = Field(default=None, description="Hand-over time; default now")
    id: uuid.UUID | None = Field(default=None, description="Client-chosen id of the successor")
    holder_person_id: uuid.UUID | None = None
    holder_department_id: uuid.UUID | None = None
    duties: str | None = Field(default=None, max_length=4000, description="Default: copied")
    required_visit_days: int | None = Field(
        default=None, ge=1, le=3650, description="Default: copied"
    )
    valid_to: BoundedDatetime | None = None
    appointing_unit: str | None = Field(default=None, max_length=200, description="Default: copied")
    document_number: str | None = Field(default=None, max_length=100)
    public_display: bool | None = Field(default=None, description="Default: copied")

    @model_validator(mode="after")
    def _period(self) -> ResponsibilityHandOver:
        _period_ok(self.at, self.valid_to)
        return self


class ResponsibilityHandOverResult(BaseModel):
    ended: ResponsibilityAssignmentRead
    started: ResponsibilityAssignmentRead


# --- major hazard sources ---


class MajorHazardSourceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = None
    enterprise_id: uuid.UUID
    name: str = Field(min_length=1, max_length=200)
    grade: int = Field(ge=1, le=4, description="Grade 1 (一级, worst) to 4 (四级)")
    record_number: str | None = Field(
        default=None, max_length=100, description="Filing number (备案编号)"
    )


class MajorHazardSourceRead(BaseModel):
    """A major hazard source (重大危险源) of an enterprise."""

    id: uuid.UUID
    enterprise_id: uuid.UUID
    name: str
    grade: int
    record_number: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class MajorHazardSourcePage(Page[MajorHazardSourceRead]):
    pass


class MajorHazardSourceFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enterprise_id: uuid.UUID | None = None
    limit: int | None = Field(default=None, ge=1, le=200)
    cursor: str | None = None


# --- chains ---


class ChainHolder(BaseModel):
    type: HolderType
    id: uuid.UUID | None = Field(description="Null for a name taken from a hazard record")
    name: str | None


class ChainEntry(BaseModel):
    """One responsible party in a chain, with where the fact comes from."""

    kind: ResponsibilityKind
    source: ChainSource
    assignment_id: uuid.UUID | None
    holder: ChainHolder
    object_type: ObjectType
    object_id: str | None = Field(description="Id or region code of the object")
    object_name: str | None
    sector: Sector | None = None
    valid_from: datetime | None
    valid_to: datetime | None
    duties: str | None = None
    required_visit_days: int | None = None
    appointing_unit: str | None = None
    document_number: str | None = None


class SectorSupervision(BaseModel):
    sector: Sector
    departments: list[ChainEntry]


class RegionRef(BaseModel):
    code: str
    name: str


class EnterpriseRef(BaseModel):
    id: uuid.UUID
    name: str
    region_code: str
    sectors: list[Sector]
    risk_grade: RiskGrade | None
    status: EnterpriseStatus


class MajorHazardSourceChain(BaseModel):
    id: uuid.UUID
    name: str
    grade: int
    main_responsible: list[ChainEntry]
    technical_leads: list[ChainEntry]
    operations_leads: list[ChainEntry]
    leaders: list[ChainEntry]


class EnterpriseResponsibility(BaseModel):
    """Who answered for an enterprise at ``at``: primary, supervision, territorial, leaders."""

    at: datetime
    enterprise: EnterpriseRef
    town: RegionRef | None
    main_responsible: list[ChainEntry]
    safety_managers: list[ChainEntry]
    supervision: list[SectorSupervision] = Field(
        description="Per sector of the enterprise; an empty list of departments is a gap"
    )
    territorial: list[ChainEntry]
    leaders: list[ChainEntry] = Field(
        description="Leaders (包联/包保) of the enterprise, its hazards and major hazard sources"
    )
    major_hazard_sources: list[MajorHazardSourceChain]


class HazardRef(BaseModel):
    id: uuid.UUID
    code: str
    title: str
    level: str | None
    status: str
    deadline: date | None
    overdue: bool


class HazardResponsibility(BaseModel):
    """The enterprise chain plus the hazard's rectification responsible person and leaders."""

    at: datetime
    hazard: HazardRef
    rectification: list[ChainEntry]
    hazard_leaders: list[ChainEntry]
    enterprise: EnterpriseResponsibility


class PersonRef(BaseModel):
    id: uuid.UUID
    name: str
    kind: str


class OpenHazard(BaseModel):
    id: uuid.UUID
    code: str
    title: str
    level: str | None
    status: str
    deadline: date | None
    overdue: bool
    enterprise_id: uuid.UUID
    via: list[ResponsibilityKind] = Field(description="The person's assignments that cover it")


class VisitDue(BaseModel):
    assignment_id: uuid.UUID
    kind: ResponsibilityKind
    enterprise_id: uuid.UUID
    enterprise_name: str | None
    required_visit_days: int
    last_visit_at: datetime | None
    due_at: datetime
    overdue: bool


class PersonResponsibilities(BaseModel):
    """What a person answered for at ``at``, their open hazards and visits due."""

    at: datetime
    person: PersonRef
    assignments: list[ResponsibilityAssignmentRead]
    open_hazards: list[OpenHazard]
    visits_due: list[VisitDue]


# --- gaps ---


class GapEnterprise(BaseModel):
    enterprise_id: uuid.UUID
    name: str
    region_code: str
    risk_grade: RiskGrade | None


class GapHazard(BaseModel):
    hazard_id: uuid.UUID
    code: str
    title: str
    status: HazardStatus
    enterprise_id: uuid.UUID
    region_code: str


class GapSector(BaseModel):
    region_code: str = Field(description="The enterprises' town or street")
    sector: Sector
    enterprise_count: int


class GapVisit(BaseModel):
    assignment_id: uuid.UUID
    kind: ResponsibilityKind
    holder_person_id: uuid.UUID
    holder_name: str | None
    enterprise_id: uuid.UUID
    enterprise_name: str | None
    required_visit_days: int
    last_visit_at: datetime | None
    due_at: datetime


class ResponsibilityGaps(BaseModel):
    """Missing or lapsing responsibility in a region (each list capped by settings)."""

    at: datetime
    region: str | None
    major_hazards_without_leader: list[GapHazard]
    red_enterprises_without_leader: list[GapEnterprise]
    sectors_without_supervision: list[GapSector]
    enterprises_without_main_responsible: list[GapEnterprise]
    expiring_assignments: list[ResponsibilityAssignmentRead]
    visit_frequency_missed: list[GapVisit]
    unconfirmed_assignments: list[ResponsibilityAssignmentRead] = Field(
        description="Current assignments whose holder was asked to re-confirm and has not answered"
    )
    declined_assignments: list[ResponsibilityAssignmentRead] = Field(
        description="Current assignments whose holder declined (with the reason)"
    )


class ResponsibilityGapFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: str | None = Field(
        default=None, pattern=r"^\d{2,12}$", description="Region code; covers the whole subtree"
    )
    kind: list[GapKind] = Field(default_factory=list, description="Gap kinds; default all")


class AtQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: BoundedDatetime | None = Field(default=None, description="The moment; default now")


# --- snapshots ---


class ResponsibilitySnapshotRead(BaseModel):
    """A hazard's chain frozen when it became overdue, was escalated or was closed."""

    id: uuid.UUID
    hazard_id: uuid.UUID
    reason: SnapshotReason
    taken_at: datetime
    event_id: uuid.UUID | None
    chain: dict[str, Any] = Field(description="HazardResponsibility at taken_at")


class ResponsibilitySnapshotList(BaseModel):
    items: list[ResponsibilitySnapshotRead]
