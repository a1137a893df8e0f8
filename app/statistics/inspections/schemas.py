"""Inspection statistics schemas."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from app.core.enums import labelled
from app.core.export import ExportFormat
from app.reference.enums import Sector
from app.statistics.figures.schemas import MONTH


@labelled(
    "inspection_statistics_dimension",
    {
        "type": ("Visit type", "检查类型"),
        "department": ("Lead department", "牵头部门"),
        "month": ("Month completed", "完成月份"),
        "region": ("Region (one level below the filter region)", "行政区划（下一级）"),
    },
)
class InspectionDimension(StrEnum):
    type = "type"
    department = "department"
    month = "month"
    region = "region"


class InspectionStatisticsFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    group_by: InspectionDimension | None = None
    region: str | None = Field(default=None, pattern=r"^\d{2,12}$")
    sector: list[Sector] = Field(default_factory=list)
    campaign_id: uuid.UUID | None = None
    period_from: str | None = Field(
        default=None, pattern=MONTH, description="First month completed, YYYY-MM"
    )
    period_to: str | None = Field(
        default=None, pattern=MONTH, description="Last month completed, YYYY-MM"
    )
    format: ExportFormat | None = None


class InspectionFigures(BaseModel):
    visits: int = Field(description="Completed visits (完成检查次数)")
    leader_led: int = Field(description="Leader-led visits (领导带队检查)")
    enterprises_visited: int = Field(description="Distinct units visited (检查单位数)")
    hazards_found: int = Field(description="Hazards raised by these visits (发现隐患数)")
    hazards_per_visit: float | None


class InspectionGroup(InspectionFigures):
    key: str | None
    label: str | None


class InspectionStatistics(BaseModel):
    """Completed inspection visits (检查统计) in your scope."""

    group_by: InspectionDimension | None
    region: str | None
    period_from: date | None
    period_to: date | None = Field(description="Exclusive end (first day after the period)")
    totals: InspectionFigures
    enterprises_in_scope: int = Field(description="Live units in scope (在册单位数)")
    visited_share: float | None = Field(description="enterprises_visited ÷ enterprises_in_scope")
    groups: list[InspectionGroup]
