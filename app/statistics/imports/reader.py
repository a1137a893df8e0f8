"""Reading an uploaded table: XLSX (first sheet) or CSV (UTF-8, UTF-8 with BOM, or GB18030)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from app.core.errors import Unprocessable
from app.statistics.enums import ImportFileFormat

XLSX_MAGIC = b"PK\x03\x04"


def detect_format(content: bytes) -> ImportFileFormat:
    return ImportFileFormat.xlsx if content.startswith(XLSX_MAGIC) else ImportFileFormat.csv


def _unreadable(detail_en: str, detail_zh: str) -> Unprocessable:
    return Unprocessable.field(
        ["body", "file"],
        detail_en,
        "import_file_unreadable",
        detail_zh,
        code="import_file_unreadable",
    )


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _unreadable(
        "The CSV file is neither UTF-8 nor GB18030 text",
        "CSV 文件既不是 UTF-8 也不是 GB18030 编码的文本",
    )


def _blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def read_rows(content: bytes, file_format: ImportFileFormat) -> Iterator[tuple[int, list[Any]]]:
    """(file row number, cells) for every row, the header first (row 1); blank rows skipped."""
    if file_format is ImportFileFormat.csv:
        reader = csv.reader(io.StringIO(_decode(content)))
        rows: Iterator[list[Any]] = iter(reader)
    else:
        rows = _xlsx_rows(content)
    try:
        for number, cells in enumerate(rows, start=1):
            if not _blank(list(cells)):
                yield number, list(cells)
    except csv.Error as err:
        raise _unreadable(f"The CSV file is malformed: {err}", "CSV 文件格式有误") from err


def _xlsx_rows(content: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a damaged file
        raise _unreadable("The XLSX file cannot be read", "无法读取该 XLSX 文件") from err
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()


def text_of(value: Any) -> str | None:
    """A cell as stripped text (``330106002.0`` from a spreadsheet number becomes ``330106002``)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    result = str(value).strip()
    return result or None
