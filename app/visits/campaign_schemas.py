"""Campaign schemas (专项整治 / 专项行动)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import SyncPage
from app.core.timebounds import BoundedDate
from app.reference.enums import Sector


class CampaignCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(default=None, description="Client-chosen id (offline creation)")
    name: str = Field(min_length=1, max_length=200, description="e.g. 春节前安全生产大检查")
    document_number: str | None = Field(default=None, max_length=100, description="文号")
    issuer_department_id: uuid.UUID | None = Field(
        default=None, description="Issuing unit; defaults to the caller's department"
    )
    region_code: str = Field(pattern=r"^\d{6}(\d{3})?$", description="County or town it covers")
    sectors: list[Sector] = Field(min_length=1)
    starts_on: BoundedDate
    ends_on: BoundedDate
    description: str | None = Field(default=None, max_length=4000)


class CampaignUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    document_number: str | None = Field(default=None, max_length=100)
    sectors: list[Sector] | None = Field(default=None, min_length=1)
    starts_on: BoundedDate | None = None
    ends_on: BoundedDate | None = None
    description: str | None = Field(default=None, max_length=4000)


class CampaignRead(BaseModel):
    id: uuid.UUID
    name: str
    document_number: str | None
    issuer_department_id: uuid.UUID | None
    region_code: str
    sectors: list[Sector]
    starts_on: date
    ends_on: date
    description: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None


class CampaignPage(SyncPage[CampaignRead]):
    pass


class CampaignFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: str | None = Field(default=None, pattern=r"^\d{2,12}$")
    sector: list[Sector] = Field(default_factory=list)
    active_on: BoundedDate | None = Field(
        default=None, description="Campaigns running on this date"
    )
    limit: int | None = Field(default=None, ge=1, le=200)
    cursor: str | None = None
    changed_since: str | None = None


class CampaignProgress(BaseModel):
    """Where a campaign stands, within the caller's scope."""

    campaign_id: uuid.UUID
    enterprises_in_scope: int = Field(description="Operating units of its sectors and regions")
    enterprises_visited: int = Field(description="Units with a completed campaign visit")
    visits_planned: int
    visits_completed: int
    hazards_found: int = Field(description="Hazards found on campaign visits")
    hazards_rectified: int = Field(description="Of those, closed (销号)")
    hazards_overdue: int = Field(description="Of those, open past the deadline")
    rectification_rate: float | None = Field(description="rectified ÷ found (整改率)")
