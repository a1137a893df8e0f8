"""Criteria catalogue schemas (重大事故隐患判定标准)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.timebounds import BoundedDate
from app.reference.enums import Sector


class ClauseImport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64)
    text: str = Field(min_length=1)


class StandardImport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64, description="Short stable id, e.g. coal-2021")
    sector: Sector
    title: str = Field(min_length=1, max_length=300)
    issuing_body: str = Field(min_length=1, max_length=200)
    document_number: str = Field(min_length=1, max_length=100)
    effective_on: BoundedDate
    superseded_by: str | None = Field(default=None, description="Code of the newer standard")
    clauses: list[ClauseImport] = Field(default_factory=list)


class CatalogueImport(BaseModel):
    """The import format (also the seed file's): `format` names its version."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["anjian-criteria/1"]
    note: str | None = None
    standards: list[StandardImport] = Field(min_length=1)


class ImportResult(BaseModel):
    standards: int
    clauses: int


class StandardRead(BaseModel):
    id: uuid.UUID
    code: str
    sector: Sector
    title: str
    issuing_body: str
    document_number: str
    effective_on: date
    superseded_by_code: str | None
    in_force: bool = Field(description="Effective today and not superseded")


class StandardList(BaseModel):
    items: list[StandardRead]


class ClauseRead(BaseModel):
    """A clause: a hazard matching it is a major hazard."""

    id: uuid.UUID
    code: str
    text: str
    sector: Sector
    standard_code: str
    standard_title: str
    document_number: str
    effective_on: date
    in_force: bool


class ClauseList(BaseModel):
    items: list[ClauseRead]


class CriteriaFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sector: list[Sector] = Field(default_factory=list)
    standard: str | None = Field(default=None, description="Standard code")
    in_force: bool | None = Field(default=None, description="Only clauses of standards in force")


class StandardFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sector: list[Sector] = Field(default_factory=list)
