"""Enterprise registry schemas."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import SyncPage, sort_field
from app.core.timebounds import BoundedDate
from app.reference.enums import EnterpriseSize, EnterpriseStatus, RiskGrade, Sector, UnitKind


class GeoPoint(BaseModel):
    """WGS-84 / CGCS2000 coordinates (clients convert GCJ-02 before sending)."""

    model_config = ConfigDict(extra="forbid")

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Contact(BaseModel):
    """A named person with a phone (personal data: masked without permission)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    phone: str | None = Field(default=None, max_length=40)


class MainResponsibleRead(Contact):
    """The main responsible person (主要负责人): the holder of the enterprise's
    ``enterprise_main_responsible`` assignment (``person_id``, ``assignment_id``), or — before the
    seat was ever filled through the responsibility chain — the contact declared at registration
    (both ids null). Null when the seat is vacant."""

    model_config = ConfigDict(extra="ignore")

    person_id: uuid.UUID | None = Field(default=None, description="Holder (person) of the seat")
    assignment_id: uuid.UUID | None = Field(
        default=None, description="The current enterprise_main_responsible assignment"
    )


class Licence(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(min_length=1, max_length=100, description="e.g. 安全生产许可证")
    number: str = Field(min_length=1, max_length=100)
    valid_until: BoundedDate | None = None


class LicenceRead(BaseModel):
    """A licence as stored (one written before the date bounds may lie outside them)."""

    kind: str
    number: str
    valid_until: date | None = None


class EnterpriseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(default=None, description="Client-chosen id (offline creation)")
    uscc: str = Field(
        description="Unified social credit code (统一社会信用代码, GB 32100): 18 characters of "
        "0-9 and A-Y without I, O, S, V, Z; positions 3-8 a known county; the last one the "
        "mod-31 check character",
        # the server checks each rule itself, naming it in the 422 code (uscc_length, …)
        json_schema_extra={"pattern": "^[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}$"},
    )
    name: str = Field(min_length=1, max_length=200)
    kind: UnitKind = UnitKind.enterprise
    region_code: str = Field(pattern=r"^\d{9}$", description="Township or street code (9 digits)")
    address: str | None = Field(default=None, max_length=300)
    location: GeoPoint | None = None
    sectors: list[Sector] = Field(min_length=1)
    industry_code: str | None = Field(
        default=None, pattern=r"^[A-T](\d{2,4})?$", description="GB/T 4754 industry code"
    )
    legal_representative: Contact | None = None
    main_responsible_person: Contact | None = None
    safety_manager: Contact | None = None
    size: EnterpriseSize | None = None
    risk_grade: RiskGrade | None = None
    licences: list[Licence] = Field(default_factory=list)


class EnterpriseUpdate(BaseModel):
    """Writable fields (JSON merge semantics). Status changes only through actions."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: UnitKind | None = None
    region_code: str | None = Field(default=None, pattern=r"^\d{9}$")
    address: str | None = Field(default=None, max_length=300)
    location: GeoPoint | None = None
    sectors: list[Sector] | None = Field(default=None, min_length=1)
    industry_code: str | None = Field(default=None, pattern=r"^[A-T](\d{2,4})?$")
    legal_representative: Contact | None = None
    main_responsible_person: Contact | None = Field(
        default=None,
        description="Only until the seat is filled through the responsibility chain "
        "(then 409 main_responsible_person_from_assignment: hand the assignment over)",
    )
    safety_manager: Contact | None = None
    size: EnterpriseSize | None = None
    risk_grade: RiskGrade | None = None
    licences: list[Licence] | None = None


class EnterpriseRead(BaseModel):
    """An inspectable unit (生产经营单位)."""

    id: uuid.UUID
    uscc: str
    name: str
    kind: UnitKind
    region_code: str
    address: str | None
    location: GeoPoint | None
    sectors: list[Sector]
    industry_code: str | None
    legal_representative: Contact | None
    main_responsible_person: MainResponsibleRead | None = Field(
        description="Derived from the responsibility chain (read-only once an "
        "enterprise_main_responsible assignment exists)"
    )
    safety_manager: Contact | None
    size: EnterpriseSize | None
    risk_grade: RiskGrade | None
    licences: list[LicenceRead]
    status: EnterpriseStatus
    status_reason: str | None
    status_document_number: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = Field(description="Set on tombstones in delta sync")


class EnterprisePage(SyncPage[EnterpriseRead]):
    pass


class EnterpriseStatusChange(BaseModel):
    """A status action carries its reason and the deciding document's number (文号)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)
    document_number: str = Field(min_length=1, max_length=100)


class EnterpriseFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: str | None = Field(
        default=None, pattern=r"^\d{2,12}$", description="Region code; covers the whole subtree"
    )
    sector: list[Sector] = Field(default_factory=list)
    status: list[EnterpriseStatus] = Field(default_factory=list)
    risk_grade: list[RiskGrade] = Field(default_factory=list)
    kind: list[UnitKind] = Field(default_factory=list)
    q: str | None = Field(
        default=None, min_length=1, max_length=100, description="Name substring (Chinese included)"
    )
    sort: str | None = sort_field("name", "created_at", "updated_at", "id")
    limit: int | None = Field(default=None, ge=1, le=200)
    cursor: str | None = None
    changed_since: str | None = Field(default=None, description="Sync cursor; 0 for everything")
