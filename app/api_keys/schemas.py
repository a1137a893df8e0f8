"""API key schemas: keys for other government systems (shown once, stored hashed)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.auth.principal import Role
from app.core.pagination import SyncPage, sort_field
from app.reference.enums import Sector


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        min_length=1, max_length=200, description="Which system uses the key, e.g. 市应急指挥平台"
    )
    role: Role = Field(
        default=Role.system,
        description="Role the key acts in: system (default) or a government role",
    )
    region_code: str | None = Field(
        default=None,
        pattern=r"^\d{2,12}$",
        description="Region subtree the key may see (null: all)",
    )
    sectors: list[Sector] | None = Field(
        default=None, min_length=1, description="Sectors the key may see (null: all)"
    )
    read_only: bool = Field(default=True, description="Read-only keys are refused on writes")


class ApiKeyRead(BaseModel):
    """An API key (the secret itself is never shown again after creation)."""

    id: uuid.UUID
    name: str
    prefix: str = Field(description="Public part of the key: ak_<prefix>_…")
    role: Role
    region_code: str | None
    sectors: list[Sector] | None
    read_only: bool
    created_by: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The full key, `ak_<prefix>_<secret>`: shown this once only")


class ApiKeyPage(SyncPage[ApiKeyRead]):
    pass


class ApiKeyFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    revoked: bool | None = Field(default=None, description="Only revoked (true) or live (false)")
    sort: str | None = sort_field("name", "created_at", "id")
    limit: int | None = Field(default=None, ge=1, le=200)
    cursor: str | None = None
    changed_since: str | None = Field(
        default=None, description="Sync cursor; 0 for everything (docs/sync.md)"
    )
