"""Department (government unit) schemas."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import SyncPage, sort_field
from app.reference.enums import DepartmentKind, Sector


class DepartmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(default=None, description="Client-chosen id (offline creation)")
    name: str = Field(min_length=1, max_length=200, description="Unit name, e.g. 应急管理局")
    kind: DepartmentKind
    region_code: str = Field(pattern=r"^\d{6}(\d{3})?$", description="County or town code")
    sectors: list[Sector] = Field(default_factory=list, description="Sectors it supervises")
    phone: str | None = Field(default=None, max_length=40)


class DepartmentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: DepartmentKind | None = None
    sectors: list[Sector] | None = None
    phone: str | None = Field(default=None, max_length=40)


class DepartmentRead(BaseModel):
    """A government unit (政府部门/乡镇街道)."""

    id: uuid.UUID
    name: str
    kind: DepartmentKind
    region_code: str
    sectors: list[Sector]
    phone: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = Field(description="Set on tombstones in delta sync")


class DepartmentPage(SyncPage[DepartmentRead]):
    pass


class DepartmentFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: str | None = Field(
        default=None, pattern=r"^\d{2,12}$", description="Region code; covers the whole subtree"
    )
    sector: list[Sector] = Field(default_factory=list)
    kind: list[DepartmentKind] = Field(default_factory=list)
    sort: str | None = sort_field("name", "created_at", "id")
    limit: int | None = Field(default=None, ge=1, le=200)
    cursor: str | None = None
    changed_since: str | None = Field(default=None, description="Sync cursor; 0 for everything")
