"""Responsibility statistics schemas."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from app.core.enums import labelled
from app.core.export import ExportFormat
from app.statistics.figures.schemas import MONTH


@labelled(
    "responsibility_statistics_dimension",
    {
        "kind": ("Assignment kind", "责任类型"),
        "region": ("Region (one level below the filter region)", "行政区划（下一级）"),
    },
)
class DutyDimension(StrEnum):
    kind = "kind"
    region = "region"


class ResponsibilityStatisticsFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    group_by: DutyDimension | None = None
    region: str | None = Field(default=None, pattern=r"^\d{2,12}$")
    period_from: str | None = Field(
        default=None, pattern=MONTH, description="First month, YYYY-MM (default: January)"
    )
    period_to: str | None = Field(
        default=None, pattern=MONTH, description="Last month, YYYY-MM (default: up to now)"
    )
    format: ExportFormat | None = None


class DutyFigures(BaseModel):
    assignments: int = Field(description="Person-held assignments with a visit interval")
    visits_due: int = Field(description="Visits required in the period (应检查次数)")
    visits_done: int = Field(description="Required visits made, at most the due per assignment")
    visits_made: int = Field(description="All visits by the holders to their units")
    completion_rate: float | None = Field(description="visits_done ÷ visits_due (完成率)")


class DutyGroup(DutyFigures):
    key: str | None
    label: str | None


class ResponsibilityStatistics(BaseModel):
    """Required leader (包保) and major-hazard-source visits done versus due."""

    group_by: DutyDimension | None
    region: str | None
    period_start: datetime
    period_end: datetime
    totals: DutyFigures
    groups: list[DutyGroup]
