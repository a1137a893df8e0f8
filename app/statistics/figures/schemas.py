"""Hazard statistics schemas."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from app.core.enums import labelled
from app.core.export import ExportFormat
from app.core.timebounds import MONTH_PATTERN
from app.hazards.enums import HazardLevel, HazardSource
from app.reference.enums import Sector

MONTH = MONTH_PATTERN  # YYYY-MM, years 2000-2999 (app.core.timebounds)


@labelled(
    "hazard_statistics_dimension",
    {
        "region": ("Region (one level below the filter region)", "行政区划（下一级）"),
        "sector": ("Sector", "行业领域"),
        "level": ("Level", "隐患等级"),
        "status": ("Status", "状态"),
        "source": ("Source", "隐患来源"),
        "department": ("Ordering department", "责令整改部门"),
        "month": ("Month found", "发现月份"),
    },
)
class HazardDimension(StrEnum):
    region = "region"
    sector = "sector"
    level = "level"
    status = "status"
    source = "source"
    department = "department"
    month = "month"


class HazardStatisticsFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    group_by: list[HazardDimension] = Field(
        default_factory=list,
        max_length=2,
        description="Up to two dimensions; none gives the totals only",
    )
    region: str | None = Field(
        default=None,
        pattern=r"^\d{2,12}$",
        description="Region code; covers the subtree (default: yours)",
    )
    sector: list[Sector] = Field(default_factory=list)
    level: list[HazardLevel] = Field(default_factory=list)
    source: list[HazardSource] = Field(default_factory=list)
    department_id: uuid.UUID | None = Field(default=None, description="Ordering department")
    campaign_id: uuid.UUID | None = Field(
        default=None, description="Only hazards raised by the campaign's visits (专项行动)"
    )
    period_from: str | None = Field(
        default=None, pattern=MONTH, description="First month found, YYYY-MM (China time)"
    )
    period_to: str | None = Field(
        default=None, pattern=MONTH, description="Last month found, YYYY-MM (China time)"
    )
    median: bool = Field(
        default=False,
        description="Also compute the exact median days to "
        "close (from per-day histograms: slower, see the docs)",
    )
    format: ExportFormat | None = Field(default=None, description="csv or xlsx instead of JSON")


class HazardFigures(BaseModel):
    """The figures of a set of hazards (found in the period, cancelled ones excluded)."""

    found: int = Field(description="Hazards found (cancelled ones not counted) (排查隐患数)")
    closed: int = Field(description="Closed (销号)")
    open: int = Field(description="Not closed nor cancelled (未整改)")
    cancelled: int = Field(description="Cancelled as false or duplicate (撤销)")
    overdue: int | None = Field(description="Open with a deadline before today (逾期未整改)")
    rectification_rate: float | None = Field(description="closed ÷ found (整改率)")
    on_time_rate: float | None = Field(
        description="Closed on or before the deadline ÷ closed with a deadline (按期整改率)"
    )
    major_open: int | None = Field(description="Major hazards open (重大隐患未销号)")
    major_cleared: int | None = Field(description="Major hazards closed (重大隐患已清零)")
    median_days_to_close: float | None = Field(
        description="Median whole days from found to closed (China dates)"
    )


class HazardGroup(HazardFigures):
    key: dict[str, str | None] = Field(description="Dimension → value (code, id or YYYY-MM)")
    label: dict[str, str | None] = Field(description="Dimension → name in your language")


class HazardStatistics(BaseModel):
    """Hazard figures (隐患统计), exact to the last committed change."""

    group_by: list[HazardDimension]
    region: str | None = Field(description="The region the figures cover (null: everything)")
    as_of: date = Field(description="Today in China: overdue is counted against it")
    totals: HazardFigures
    groups: list[HazardGroup]
