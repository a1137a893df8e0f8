"""People schemas: officials, inspectors, enterprise staff and experts."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.auth.principal import Role
from app.core.enums import labelled
from app.core.pagination import SyncPage


@labelled(
    "person_kind",
    {
        "official": ("Government official", "政府工作人员"),
        "inspector": ("Law-enforcement inspector", "执法检查人员"),
        "enterprise_staff": ("Enterprise staff", "企业人员"),
        "expert": ("Expert", "专家"),
    },
)
class PersonKind(StrEnum):
    official = "official"
    inspector = "inspector"
    enterprise_staff = "enterprise_staff"
    expert = "expert"


@labelled(
    "staff_position",
    {
        "main_responsible_person": ("Main responsible person", "主要负责人"),
        "safety_manager": ("Safety manager", "安全管理人员"),
        "other": ("Other", "其他"),
    },
)
class StaffPosition(StrEnum):
    main_responsible_person = "main_responsible_person"
    safety_manager = "safety_manager"
    other = "other"


def _phone() -> Any:
    return Field(
        default=None,
        min_length=3,
        max_length=40,
        pattern=r"^[0-9+\-() ]+$",
        description="Phone (personal data: masked as 138****5678 without permission)",
    )


def _subject() -> Any:
    return Field(
        default=None,
        min_length=1,
        max_length=200,
        description="IdP subject: a token whose `sub` equals it acts as this person",
    )


class PersonCreate(BaseModel):
    """A person belongs to a department (or town/street government) or to an enterprise."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(default=None, description="Client-chosen id (offline creation)")
    name: str = Field(min_length=1, max_length=100)
    kind: PersonKind
    position: StaffPosition | None = Field(
        default=None, description="Enterprise staff only: 主要负责人 / 安全管理人员 / other"
    )
    certificate_number: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="Law-enforcement certificate number (执法证号); required for inspectors",
    )
    department_id: uuid.UUID | None = Field(
        default=None,
        description="Department or town/street government (officials, inspectors, experts)",
    )
    enterprise_id: uuid.UUID | None = Field(default=None, description="Enterprise (staff only)")
    region_code: str | None = Field(
        default=None,
        pattern=r"^\d{6}(\d{3})?$",
        description="Experts without a department: the region whose pool they belong to",
    )
    roles: list[Role] = Field(default_factory=list, description="Roles the person may act in")
    phone: str | None = _phone()
    subject: str | None = _subject()
    active: bool = True


class PersonUpdate(BaseModel):
    """Writable fields (JSON merge semantics). `active` changes only through actions."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    position: StaffPosition | None = None
    certificate_number: str | None = Field(default=None, min_length=1, max_length=64)
    department_id: uuid.UUID | None = None
    roles: list[Role] | None = None
    phone: str | None = _phone()
    subject: str | None = _subject()


class PersonRead(BaseModel):
    """A person (人员)."""

    id: uuid.UUID
    name: str
    kind: PersonKind
    position: StaffPosition | None
    certificate_number: str | None
    department_id: uuid.UUID | None
    enterprise_id: uuid.UUID | None
    region_code: str | None = Field(description="The unit's region (department or enterprise)")
    roles: list[Role]
    phone: str | None = Field(description="Masked (138****5678) without personal_data:read")
    subject: str | None
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = Field(description="Set on tombstones in delta sync")


class PersonPage(SyncPage[PersonRead]):
    pass


class PersonStatusChange(BaseModel):
    """Deactivation or reactivation, with its reason."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


class PersonFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: list[PersonKind] = Field(default_factory=list)
    role: list[Role] = Field(default_factory=list, description="People holding any of these")
    department_id: uuid.UUID | None = None
    enterprise_id: uuid.UUID | None = None
    region: str | None = Field(
        default=None, pattern=r"^\d{2,12}$", description="Region code; covers the whole subtree"
    )
    active: bool | None = None
    q: str | None = Field(default=None, min_length=1, max_length=100, description="Name substring")
    sort: str | None = Field(
        default=None, description="Comma list of name, created_at, id; prefix - for descending"
    )
    limit: int | None = Field(default=None, ge=1, le=200)
    cursor: str | None = None
    changed_since: str | None = Field(default=None, description="Sync cursor; 0 for everything")
