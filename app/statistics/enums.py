"""Enums of statistics, exports and imports (with zh-CN and en labels)."""

from __future__ import annotations

from enum import StrEnum

from app.core.enums import labelled


@labelled(
    "import_kind",
    {
        "enterprises": ("Enterprises", "生产经营单位"),
        "hazards": ("Hazards", "事故隐患"),
    },
)
class ImportKind(StrEnum):
    enterprises = "enterprises"
    hazards = "hazards"


@labelled(
    "import_job_status",
    {
        "queued": ("Queued", "排队中"),
        "running": ("Running", "处理中"),
        "succeeded": ("Finished", "已完成"),
        "failed": ("Failed", "失败"),
    },
)
class ImportJobStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


@labelled(
    "import_file_format",
    {
        "csv": ("CSV", "CSV"),
        "xlsx": ("Excel workbook (XLSX)", "Excel 工作簿（XLSX）"),
    },
)
class ImportFileFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
