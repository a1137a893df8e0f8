"""On-site record (现场检查记录) and enforcement document schemas."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import SyncPage
from app.core.timebounds import BoundedDate, ObservedDatetime
from app.enterprises.schemas import Contact
from app.visits.enums import (
    AcceptanceResult,
    DocumentKind,
    ListingLevel,
    RecordStatus,
    SignatureCapture,
    SignerRole,
)

Money = Decimal  # a decimal string in yuan


class OnsiteRecordUpdate(BaseModel):
    """Editable until the first signature."""

    model_config = ConfigDict(extra="forbid")

    started_at: ObservedDatetime | None = None
    ended_at: ObservedDatetime | None = None
    place: str | None = Field(default=None, max_length=300)
    content: str | None = Field(
        default=None, min_length=1, max_length=20000, description="What was inspected (检查内容)"
    )
    problems: str | None = Field(default=None, max_length=20000, description="Problems found")
    handling: str | None = Field(default=None, max_length=20000, description="Handling (处理情况)")


class SignatureIn(BaseModel):
    """A signature belongs to the authenticated signer. An inspector signs for themselves
    (``member_id`` may be left out: the caller's own inspector membership; another member's id is
    403 ``signature_not_own``). The inspected unit's head signs on an inspector's device: the
    caller must be an inspector of the visit, and gives the head's ``name`` and the signature
    image (``attachment_id``, uploaded to the visit); the signature then says
    ``capture: inspector_device`` and names the capturing inspector."""

    model_config = ConfigDict(extra="forbid")

    signer_role: SignerRole
    member_id: uuid.UUID | None = Field(
        default=None, description="Inspector on the visit: must be the caller's own membership"
    )
    name: str | None = Field(
        default=None, min_length=1, max_length=100, description="The unit head's name"
    )
    attachment_id: uuid.UUID | None = Field(
        default=None, description="Signature image (required for the unit head)"
    )


class RefusalIn(BaseModel):
    """The unit head refused to sign (Art 68): recorded with the circumstances."""

    model_config = ConfigDict(extra="forbid")

    head_name: str = Field(min_length=1, max_length=100)
    note: str = Field(
        min_length=1, max_length=4000, description="Circumstances of the refusal, witnesses"
    )


class SignatureRead(BaseModel):
    id: uuid.UUID
    signer_role: SignerRole
    member_id: uuid.UUID | None
    name: str
    attachment_id: uuid.UUID | None
    signed_at: datetime
    signed_by: str = Field(description="The authenticated account that submitted it")
    capture: SignatureCapture = Field(
        description="own_account: signed by the signer's own account; inspector_device: the "
        "unit head signed on the device of the inspector captured_by_member_id"
    )
    captured_by_member_id: uuid.UUID | None


class OnsiteRecordRead(BaseModel):
    """现场检查记录: immutable once anyone has signed it."""

    visit_id: uuid.UUID
    status: RecordStatus
    started_at: datetime | None
    ended_at: datetime | None
    place: str | None
    content: str
    problems: str
    handling: str
    head_refused: bool
    refusal_note: str | None
    signatures: list[SignatureRead]
    unsigned_inspectors: list[uuid.UUID] = Field(description="Member ids still to sign")
    signed_at: datetime | None = Field(description="When the record became complete")
    version: int


class DocumentCreate(BaseModel):
    """An enforcement document (执法文书). Its effect on the linked hazards and the unit is
    applied in the same transaction (see docs/visits.md)."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(default=None, description="Client-chosen id (offline creation)")
    kind: DocumentKind
    number: str = Field(min_length=1, max_length=100, description="文号")
    enterprise_id: uuid.UUID
    visit_id: uuid.UUID | None = None
    issuer_department_id: uuid.UUID | None = Field(
        default=None, description="Default: the caller's department"
    )
    issuer_name: str = Field(min_length=1, max_length=200, description="Issuing unit's name")
    issued_on: BoundedDate
    served_on: BoundedDate | None = Field(default=None, description="送达日期")
    legal_basis: str = Field(min_length=1, max_length=4000)
    content: str | None = Field(
        default=None, max_length=20000, description="Measures decided / reasons / opinion"
    )
    amount: Money | None = Field(
        default=None,
        gt=0,
        max_digits=14,
        decimal_places=2,
        description="Fine (yuan); penalty decisions",
    )
    due_on: BoundedDate | None = Field(
        default=None, description="Deadline (rectification, re-check)"
    )
    hazard_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    outcome: AcceptanceResult | None = Field(
        default=None, description="Re-check opinion: passed or failed"
    )
    grounds: str | None = Field(
        default=None,
        pattern=r"^(overdue|refused)$",
        description="Penalty / suspension / closure of a hazard: overdue or refused",
    )
    listing_level: ListingLevel | None = Field(default=None, description="Listing notices")
    production_order: str | None = Field(
        default=None,
        pattern=r"^(partial_stop|full_stop)$",
        description="On-site decision on a major hazard: partial or full stop",
    )
    responsible_person: Contact | None = Field(
        default=None,
        description="Rectification order: who rectifies (default: the holder of the unit's "
        "main-responsible seat in the responsibility chain on issued_on)",
    )


class DocumentRead(BaseModel):
    id: uuid.UUID
    kind: DocumentKind
    number: str
    enterprise_id: uuid.UUID
    region_code: str
    visit_id: uuid.UUID | None
    issuer_department_id: uuid.UUID | None
    issuer_name: str
    issued_on: date
    served_on: date | None
    legal_basis: str
    content: str | None
    amount: Money | None
    due_on: date | None
    hazard_ids: list[uuid.UUID]
    outcome: AcceptanceResult | None
    listing_level: ListingLevel | None
    version: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None


class DocumentPage(SyncPage[DocumentRead]):
    pass


class DocumentServe(BaseModel):
    model_config = ConfigDict(extra="forbid")

    served_on: BoundedDate


class DocumentFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: list[DocumentKind] = Field(default_factory=list)
    enterprise_id: uuid.UUID | None = None
    visit_id: uuid.UUID | None = None
    hazard_id: uuid.UUID | None = None
    issued_from: BoundedDate | None = None
    issued_to: BoundedDate | None = None
    limit: int | None = Field(default=None, ge=1, le=200)
    cursor: str | None = None
    changed_since: str | None = None
