"""Enterprise statistics report schemas."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from app.core.enums import labelled
from app.core.pagination import Page
from app.core.timebounds import PERIOD_PATTERN

PERIOD = PERIOD_PATTERN  # YYYY or YYYY-Qn, years 2000-2999 (app.core.timebounds)


@labelled(
    "statistics_report_status",
    {
        "generated": ("Generated, awaiting sign-off", "已生成待签发"),
        "signed": ("Signed by the main responsible person", "主要负责人已签字"),
    },
)
class ReportStatus(StrEnum):
    generated = "generated"
    signed = "signed"


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enterprise_id: uuid.UUID
    period: str = Field(pattern=PERIOD, description="2026-Q3 (quarterly) or 2026 (annual)")


class ReportSign(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signer_name: str = Field(
        min_length=1, max_length=100, description="The main responsible person (主要负责人) signing"
    )


class ReportFigures(BaseModel):
    found: int = Field(description="Hazards found in the period (cancelled excluded)")
    general: int
    major: int
    self_inspection: int = Field(description="Found by the enterprise's own inspections")
    closed: int = Field(description="Of those, closed by the time of generation")
    open: int
    overdue: int
    major_cleared: int
    rectification_rate: float | None
    funds: str = Field(description="Rectification funds of those hazards, yuan")


class ReportRead(BaseModel):
    """A quarterly or annual hazard statistics report (隐患排查治理统计分析表)."""

    id: uuid.UUID
    enterprise_id: uuid.UUID
    region_code: str
    period: str
    period_start: date
    period_end: date = Field(description="Exclusive")
    due_on: date = Field(description="15th day after the quarter, or 31 January")
    figures: ReportFigures
    status: ReportStatus
    generated_by: str
    signed_at: datetime | None
    signer_name: str | None
    version: int
    created_at: datetime


class OverdueReport(BaseModel):
    """A unit whose report for the period is missing or unsigned after its due date."""

    enterprise_id: uuid.UUID
    enterprise_name: str
    region_code: str
    period: str
    due_on: date
    report_id: uuid.UUID | None
    status: ReportStatus | None


class OverdueReportPage(Page[OverdueReport]):
    pass


class OverdueFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: str = Field(pattern=PERIOD)
    region: str | None = Field(default=None, pattern=r"^\d{2,12}$")
    limit: int | None = Field(default=None, ge=1, le=200)
    cursor: str | None = None
