"""Public report schemas: the public intake and receipt, the handlers' views and actions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.pagination import SyncPage, sort_field
from app.core.timebounds import BoundedDate
from app.enterprises.schemas import GeoPoint
from app.hazards.enums import HazardCategory, HazardLevel
from app.public_reports.enums import (
    ReportCategory,
    ReportChannel,
    ReportFinding,
    ReportStatus,
    RewardStatus,
    VerificationMethod,
)
from app.reference.enums import Sector


class ReporterIdentity(BaseModel):
    """Who reported (举报人): confidential, stored encrypted, shown only to the handlers. A
    reporter may give a contact without a name."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    contact: str = Field(
        min_length=1, max_length=200, description="Phone, e-mail or postal address"
    )


PHONE = r"^\+?[0-9][0-9 ()-]{4,38}$"


class PublicReportCreate(BaseModel):
    """A report from the public (举报). Either an enterprise id or a free-text subject name;
    either ``anonymous: true`` or a ``reporter``."""

    model_config = ConfigDict(extra="forbid")

    channel: ReportChannel
    category: ReportCategory
    enterprise_id: uuid.UUID | None = Field(default=None, description="The reported unit")
    subject_name: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Name of the reported unit (free text)",
    )
    subject_address: str | None = Field(default=None, max_length=300)
    region_code: str | None = Field(
        default=None,
        pattern=r"^\d{6}(\d{3})?$",
        description="County or town of the place; required without an enterprise id",
    )
    sector: Sector | None = Field(default=None, description="Sector, if the reporter knows it")
    location: GeoPoint | None = None
    content: str = Field(
        min_length=2,
        description="What happened: from 2 characters (`燃气泄漏` is a report) up to the "
        "configured maximum",
    )
    photo_ids: list[uuid.UUID] = Field(
        default_factory=list, description="Attachment ids of uploaded photos"
    )
    anonymous: bool
    reporter: ReporterIdentity | None = None
    callback_phone: str | None = Field(
        default=None,
        pattern=PHONE,
        description="An anonymous reporter's callback phone (回访电话): stored encrypted like an "
        "identity, shown only to the handling unit (each read audited); the report stays "
        "anonymous",
    )

    @model_validator(mode="after")
    def _consistent(self) -> PublicReportCreate:
        if self.anonymous and self.reporter is not None:
            raise ValueError("an anonymous report carries no reporter")
        if not self.anonymous and self.reporter is None:
            raise ValueError("a named report needs the reporter's identity")
        if not self.anonymous and self.callback_phone is not None:
            raise ValueError("a named report gives its contact in reporter")
        if self.enterprise_id is None and self.subject_name is None:
            raise ValueError("give enterprise_id or subject_name")
        if self.enterprise_id is None and self.region_code is None:
            raise ValueError("region_code is required without enterprise_id")
        return self


class PublicReportReceipt(BaseModel):
    """Shown once: the code and secret that let the reporter follow the case (回执)."""

    receipt_code: str
    receipt_secret: str = Field(
        description="Shown only now; keep it to follow the case and claim a reward"
    )
    status: ReportStatus
    received_on: date
    due_on: date


class ReceiptReward(BaseModel):
    status: RewardStatus
    amount: Decimal | None


class ReceiptStatus(BaseModel):
    """What the holder of a receipt may see: status and the public reply, nothing else."""

    receipt_code: str
    status: ReportStatus
    received_on: date
    public_reply: str | None
    replied_at: datetime | None
    reward: ReceiptReward


class RewardRead(BaseModel):
    status: RewardStatus
    fine_amount: Decimal | None
    amount: Decimal | None
    decided_on: date | None
    document_number: str | None
    paid_on: date | None
    payment_reference: str | None


class PublicReportRead(BaseModel):
    """A public report as its handlers see it. Never contains the reporter's identity."""

    id: uuid.UUID
    receipt_code: str
    channel: ReportChannel
    category: ReportCategory
    enterprise_id: uuid.UUID | None
    subject_name: str | None
    subject_address: str | None
    region_code: str
    sectors: list[Sector]
    location: GeoPoint | None
    content: str
    photo_ids: list[uuid.UUID]
    anonymous: bool
    status: ReportStatus
    assigned_department_id: uuid.UUID | None
    duplicate_of_id: uuid.UUID | None = Field(description="The first report of the same matter")
    received_on: date
    accepted_on: date | None
    due_on: date = Field(description="Deadline to close (办结时限)")
    extended: bool
    finding: ReportFinding | None
    finding_method: VerificationMethod | None
    finding_note: str | None
    verified_on: date | None
    visit_id: uuid.UUID | None
    hazard_ids: list[uuid.UUID]
    reply_due_on: date | None
    public_reply: str | None
    replied_at: datetime | None
    closed_on: date | None
    overdue: bool = Field(description="Past due_on (or reply_due_on) and not closed")
    reward: RewardRead
    version: int
    created_at: datetime
    updated_at: datetime


class PublicReportPage(SyncPage[PublicReportRead]):
    pass


class PublicReportFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: list[ReportStatus] = Field(default_factory=list)
    category: list[ReportCategory] = Field(default_factory=list)
    region: str | None = Field(
        default=None, pattern=r"^\d{2,12}$", description="Region code; covers the whole subtree"
    )
    department_id: uuid.UUID | None = Field(default=None, description="Assigned unit")
    enterprise_id: uuid.UUID | None = None
    overdue: bool | None = None
    sort: str | None = sort_field("received_on", "due_on", "created_at", "id")
    limit: int | None = Field(default=None, ge=1, le=200)
    cursor: str | None = None
    changed_since: str | None = Field(
        default=None,
        description="Sync cursor; 0 for everything (docs/sync.md). Not with `overdue`.",
    )


class ReporterRead(BaseModel):
    """The reporter's identity, for a handler of the report (each read is audited)."""

    anonymous: bool
    name: str | None
    contact: str | None
    callback_phone: str | None = Field(
        default=None, description="An anonymous reporter's callback phone (回访电话)"
    )


class ReportEventRead(BaseModel):
    """One step of the handling history (transfers keep both units)."""

    id: uuid.UUID
    occurred_at: datetime
    action: str
    actor_role: str
    from_department_id: uuid.UUID | None
    to_department_id: uuid.UUID | None
    status: ReportStatus
    note: str | None


class ReportEventList(BaseModel):
    items: list[ReportEventRead]


class ReportAccept(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=2000)


class ReportTransfer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    department_id: uuid.UUID = Field(description="The unit that takes the report over")
    reason: str = Field(min_length=1, max_length=2000)


class ReportReject(BaseModel):
    """Out of remit (不属于安全生产举报受理范围): the reason and the reply to the reporter."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)
    public_reply: str = Field(min_length=1, max_length=2000)


class ReportExtend(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


class FoundHazard(BaseModel):
    """A hazard found while verifying the report (created with source ``public_report``)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=4000)
    sector: Sector
    category: HazardCategory = HazardCategory.unsafe_condition
    level: HazardLevel | None = Field(default=None, description="general or major, if known")


class ReportVerify(BaseModel):
    """The finding (核查结论), by desk check or a report-verification visit."""

    model_config = ConfigDict(extra="forbid")

    finding: ReportFinding
    method: VerificationMethod
    visit_id: uuid.UUID | None = Field(default=None, description="Required for a visit")
    note: str = Field(min_length=1, max_length=4000, description="Internal note")
    enterprise_id: uuid.UUID | None = Field(
        default=None,
        description="Identify the unit of a free-text report (needed to create hazards)",
    )
    create_hazards: list[FoundHazard] = Field(default_factory=list)
    link_hazard_ids: list[uuid.UUID] = Field(
        default_factory=list, description="Existing hazards of this matter"
    )

    @model_validator(mode="after")
    def _visit(self) -> ReportVerify:
        if self.method is VerificationMethod.verification_visit and self.visit_id is None:
            raise ValueError("a verification visit needs visit_id")
        if self.finding is ReportFinding.false and (self.create_hazards or self.link_hazard_ids):
            raise ValueError("a false report has no hazards")
        return self


class ReportReply(BaseModel):
    """The reply to the reporter (答复), visible through the receipt."""

    model_config = ConfigDict(extra="forbid")

    public_reply: str = Field(min_length=1, max_length=2000)


class RewardDecide(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fine_amount: Decimal = Field(
        ge=0, max_digits=14, decimal_places=2, description="The related fine (罚没款), yuan"
    )
    document_number: str = Field(min_length=1, max_length=100)


class RewardPay(BaseModel):
    """Payment to the holder of the receipt, who proves it with the receipt secret."""

    model_config = ConfigDict(extra="forbid")

    receipt_secret: str = Field(min_length=1, max_length=100)
    payment_reference: str = Field(min_length=1, max_length=100)
    paid_on: BoundedDate | None = Field(default=None, description="Default: today (China)")


class RoutingRuleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: ReportCategory | None = Field(default=None, description="null: any category")
    sector: Sector | None = Field(default=None, description="null: any sector")
    region_prefix: str = Field(pattern=r"^\d{2,12}$", description="Region code or prefix")
    department_id: uuid.UUID
    priority: int = Field(default=100, ge=0, le=1000, description="Lower wins")
    active: bool = True
    note: str | None = Field(default=None, max_length=500)


class RoutingRuleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: ReportCategory | None = None
    sector: Sector | None = None
    department_id: uuid.UUID | None = None
    priority: int | None = Field(default=None, ge=0, le=1000)
    active: bool | None = None
    note: str | None = Field(default=None, max_length=500)


class RoutingRuleRead(BaseModel):
    """Where new reports go (举报分办规则)."""

    id: uuid.UUID
    category: ReportCategory | None
    sector: Sector | None
    region_prefix: str
    department_id: uuid.UUID
    priority: int
    active: bool
    note: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class RoutingRuleList(BaseModel):
    items: list[RoutingRuleRead]


class PublicReportPhotoRead(BaseModel):
    """An uploaded photo (metadata stripped); pass its id in ``photo_ids`` of the report."""

    id: uuid.UUID
    content_type: str
    size_bytes: int
