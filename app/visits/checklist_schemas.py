"""Checklist template schemas (检查表), versioned by edition."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import Page
from app.reference.enums import Sector


class ChecklistItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    text: str = Field(min_length=1, max_length=2000, description="What is checked")
    legal_basis: str | None = Field(default=None, max_length=1000, description="依据")
    criteria_clause_code: str | None = Field(
        default=None,
        max_length=64,
        description="Major-hazard criteria clause: a failure here is a major hazard",
    )


class ChecklistTemplateCreate(BaseModel):
    """A new template, or a new edition of an existing ``code`` (the old one stops being
    current; visits keep the edition they used)."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_\-]+$")
    sector: Sector
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    items: list[ChecklistItemIn] = Field(min_length=1, max_length=300)


class ChecklistItemRead(BaseModel):
    id: uuid.UUID
    code: str
    text: str
    legal_basis: str | None
    criteria_clause_code: str | None
    sort_order: int


class ChecklistTemplateRead(BaseModel):
    id: uuid.UUID
    code: str
    edition: int
    sector: Sector
    title: str
    description: str | None
    current: bool = Field(description="The edition new visits use")
    items: list[ChecklistItemRead] = Field(default_factory=list)
    created_at: datetime


class ChecklistTemplatePage(Page[ChecklistTemplateRead]):
    pass


class ChecklistTemplateFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sector: list[Sector] = Field(default_factory=list)
    code: str | None = Field(default=None, max_length=64)
    current: bool | None = Field(default=True, description="Only current editions (default)")
    limit: int | None = Field(default=None, ge=1, le=200)
    cursor: str | None = None
