"""Columns of the statistics tables when they are asked for as CSV or XLSX."""

from __future__ import annotations

from collections.abc import Sequence

from app.core.export import ExportColumn, nested
from app.statistics.figures.schemas import HazardDimension

_DIMENSIONS = {
    "region": ("Region", "行政区划"),
    "sector": ("Sector", "行业领域"),
    "level": ("Level", "隐患等级"),
    "status": ("Status", "状态"),
    "source": ("Source", "隐患来源"),
    "department": ("Department", "部门"),
    "month": ("Month", "月份"),
}
FIGURE_COLUMNS = (
    ExportColumn("found", "Found", "排查隐患数"),
    ExportColumn("closed", "Closed", "已整改（销号）"),
    ExportColumn("open", "Open", "未整改"),
    ExportColumn("cancelled", "Cancelled", "已撤销"),
    ExportColumn("overdue", "Overdue", "逾期未整改"),
    ExportColumn("rectification_rate", "Rectification rate", "整改率"),
    ExportColumn("on_time_rate", "On-time rate", "按期整改率"),
    ExportColumn("major_open", "Major open", "重大隐患未销号"),
    ExportColumn("major_cleared", "Major cleared", "重大隐患已销号"),
    ExportColumn("median_days_to_close", "Median days to close", "整改天数中位数"),
)


def hazard_columns(group_by: Sequence[HazardDimension]) -> tuple[ExportColumn, ...]:
    dims: list[ExportColumn] = []
    for dim in group_by:
        en, zh = _DIMENSIONS[dim.value]
        dims.append(
            ExportColumn(
                f"{dim.value}_code", f"{en} (code)", f"{zh}（代码）", nested("key", dim.value)
            )
        )
        dims.append(ExportColumn(dim.value, en, zh, nested("label", dim.value)))
    return (*dims, *FIGURE_COLUMNS)
