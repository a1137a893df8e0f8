"""Import job schemas."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import Page
from app.statistics.enums import ImportFileFormat, ImportJobStatus, ImportKind


class ImportFieldError(BaseModel):
    """One problem of one row."""

    column: str | None = Field(description="Column key (as in the template), null for the row")
    code: str = Field(description="Stable snake_case code, e.g. missing, uscc_check_character")
    message: str = Field(description="English message")
    message_zh: str = Field(description="Chinese message (中文说明)")


class ImportRowErrors(BaseModel):
    """A rejected row: its number in the file (the header is row 1), errors and values."""

    row_number: int
    errors: list[ImportFieldError]
    values: dict[str, str | None] = Field(description="The row's cells by header, as read")


class ImportRowErrorPage(Page[ImportRowErrors]):
    pass


class ImportErrorFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int | None = Field(default=None, ge=1, le=1000)
    cursor: str | None = None


class ImportJobRead(BaseModel):
    """An import (导入任务): progress, counts and the first rejected rows."""

    id: uuid.UUID
    kind: ImportKind
    status: ImportJobStatus
    dry_run: bool = Field(description="Validate every row, write nothing (试导入)")
    filename: str
    file_format: ImportFileFormat
    total_rows: int = Field(description="Data rows in the file (blank rows not counted)")
    processed_rows: int
    created_rows: int = Field(description="Rows written (dry run: rows that would be written)")
    unchanged_rows: int = Field(description="Rows whose id already existed with the same data")
    error_rows: int
    ignored_columns: list[str] = Field(description="Headers that match no template column")
    failure: str | None = Field(description="Why the whole job failed, if it did")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    errors: list[ImportRowErrors] = Field(description="The first rejected rows (see /errors)")
    more_errors: bool = Field(description="More rejected rows than listed here")
