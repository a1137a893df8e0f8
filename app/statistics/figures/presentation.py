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


INSPECTION_COLUMNS = (
    ExportColumn("key", "Group (code)", "分组（代码）"),
    ExportColumn("label", "Group", "分组"),
    ExportColumn("visits", "Visits", "检查次数"),
    ExportColumn("leader_led", "Leader-led visits", "领导带队检查次数"),
    ExportColumn("enterprises_visited", "Units visited", "检查单位数"),
    ExportColumn("hazards_found", "Hazards found", "发现隐患数"),
    ExportColumn("hazards_per_visit", "Hazards per visit", "每次检查发现隐患数"),
)

DUTY_COLUMNS = (
    ExportColumn("key", "Group (code)", "分组（代码）"),
    ExportColumn("label", "Group", "分组"),
    ExportColumn("assignments", "Assignments", "责任数"),
    ExportColumn("visits_due", "Visits due", "应检查次数"),
    ExportColumn("visits_done", "Visits done", "已完成次数"),
    ExportColumn("visits_made", "Visits made", "实际检查次数"),
    ExportColumn("completion_rate", "Completion rate", "完成率"),
)
