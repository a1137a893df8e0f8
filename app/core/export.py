"""Streamed CSV and XLSX exports in constant memory (domain-free; no web framework).

An export is a sequence of columns (key, English header, Chinese header, optional getter) and an
async iterator of row batches. Rows are produced batch by batch (keyset pages, each in its own
short transaction), converted to plain cells and written out:

- CSV: UTF-8 with a BOM (so Excel opens Chinese text correctly), one chunk of bytes per batch;
  cells that a spreadsheet would take for a formula are neutralised with a leading quote.
- XLSX: ``xlsxwriter`` in ``constant_memory`` mode writes each row straight to a temporary file
  (the writes run in a worker thread, so the event loop is never blocked), then the file is
  streamed out in chunks and deleted. A sheet holds at most 1,048,575 data rows; the writer
  continues on a new sheet (``Sheet2``…) with the header repeated.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import csv
import io
import json
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel

from app.core.enums import REGISTRY, labelled

Row = Mapping[str, Any]
Cell = str | int | float | None

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MAX_DATA_ROWS = 1_048_575  # 1,048,576 rows per sheet, one of them the header
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@labelled(
    "export_format",
    {
        "csv": ("CSV (UTF-8 with BOM)", "CSV（UTF-8，含 BOM）"),
        "xlsx": ("Excel workbook (XLSX)", "Excel 工作簿（XLSX）"),
    },
)
class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


@labelled("yes_no", {"yes": ("Yes", "是"), "no": ("No", "否")})
class YesNo(StrEnum):
    """A yes/no cell of an export (是/否)."""

    yes = "yes"
    no = "no"


MEDIA_TYPES = {ExportFormat.csv: CSV_MEDIA_TYPE, ExportFormat.xlsx: XLSX_MEDIA_TYPE}


@dataclass(frozen=True)
class CellStyle:
    """How values become cells: codes of ``ExportColumn.enum`` as labels in the answer's
    language, times in the county's time zone (``YYYY-MM-DD HH:MM:SS``)."""

    zh: bool = True
    tz: tzinfo | None = None


@dataclass(frozen=True)
class ExportColumn:
    """One output column. ``value`` extracts the cell from a row (default: ``row[key]``);
    ``enum`` names a registered enum whose codes are written as labels."""

    key: str
    en: str
    zh: str
    value: Callable[[Row], Any] | None = None
    enum: str | None = None

    def header(self, zh: bool) -> str:
        return self.zh if zh else self.en

    def extract(self, row: Row) -> Any:
        if self.value is not None:
            return self.value(row)
        return row.get(self.key)


def nested(*path: str) -> Callable[[Row], Any]:
    """A getter for ``row[a][b]…`` that tolerates missing parts (e.g. a contact's phone)."""

    def get(row: Row) -> Any:
        value: Any = row
        for part in path:
            if not isinstance(value, Mapping):
                return None
            value = value.get(part)
        return value

    return get


def label(enum: str, value: Any, zh: bool) -> Any:
    """A registered enum's code as its label (unknown codes stay as they are)."""
    labels = REGISTRY.get(enum)
    code = value.value if isinstance(value, Enum) else value
    if labels is None or not isinstance(code, str) or code not in labels[1]:
        return value
    en, zh_label = labels[1][code]
    return zh_label if zh else en


def to_cell(value: Any, style: CellStyle | None = None, enum: str | None = None) -> Cell:
    """A plain cell: text, number or empty. Lists are joined with ``;``, objects become JSON."""
    if value is None:
        return None
    if enum is not None and style is not None:
        if isinstance(value, list | tuple):
            value = [label(enum, v, style.zh) for v in value]
        else:
            value = label(enum, value, style.zh)
    if isinstance(value, datetime) and style is not None and style.tz is not None:
        local = value.astimezone(style.tz) if value.tzinfo else value
        return local.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    if isinstance(value, list | tuple | set | frozenset):
        return ";".join("" if v is None else str(to_cell(v, style)) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    return str(value)


def _csv_safe(cell: Cell) -> Cell:
    """Neutralise spreadsheet formulas (CSV injection) without touching plain negative numbers."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_PREFIXES):
        if cell.startswith("-") and _is_number(cell):
            return cell
        return "'" + cell
    return cell


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def row_cells(
    columns: Sequence[ExportColumn], row: Row, style: CellStyle | None = None
) -> list[Cell]:
    return [to_cell(c.extract(row), style, c.enum) for c in columns]


def negotiate(format_param: str | None, accept: str | None) -> ExportFormat:
    """``format=`` wins; otherwise the first of CSV or XLSX named in ``Accept``; else CSV."""
    if format_param:
        return ExportFormat(format_param)
    return wants_export(accept) or ExportFormat.csv


def wants_export(accept: str | None) -> ExportFormat | None:
    """The export format an ``Accept`` header asks for, if it names one (else ``None``)."""
    for part in (accept or "").split(","):
        media = part.split(";")[0].strip().lower()
        if media == "text/csv":
            return ExportFormat.csv
        if media in (XLSX_MEDIA_TYPE, "application/vnd.ms-excel"):
            return ExportFormat.xlsx
    return None


def content_disposition(stem: str, stem_zh: str, fmt: ExportFormat, stamp: str) -> str:
    """``attachment`` with an ASCII name and the Chinese one as RFC 5987 ``filename*``."""
    ascii_name = f"{stem}-{stamp}.{fmt.value}"
    utf8_name = quote(f"{stem_zh}-{stamp}.{fmt.value}")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{utf8_name}"


FetchPage = Callable[[str | None], Awaitable[tuple[Sequence[Row], str | None]]]


async def paged_rows(
    first: Sequence[Row], next_cursor: str | None, fetch: FetchPage
) -> AsyncIterator[Sequence[Row]]:
    """Batches: the first page (already fetched, so errors surface before streaming starts),
    then one keyset page per call to ``fetch`` until there is no next cursor."""
    yield first
    cursor = next_cursor
    while cursor is not None:
        rows, cursor = await fetch(cursor)
        if rows:
            yield rows


async def csv_chunks(
    columns: Sequence[ExportColumn],
    batches: AsyncIterator[Sequence[Row]],
    *,
    zh: bool,
    tz: tzinfo | None = None,
) -> AsyncIterator[bytes]:
    """UTF-8 CSV with BOM and CRLF line ends; one chunk per batch."""
    style = CellStyle(zh, tz)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header(zh) for c in columns])
    yield codecs.BOM_UTF8 + buffer.getvalue().encode()
    async for batch in batches:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(
            [_csv_safe(cell) for cell in row_cells(columns, row, style)] for row in batch
        )
        yield buffer.getvalue().encode()


class _SheetWriter:
    """Writes rows into an xlsxwriter workbook, starting a new sheet when one is full."""

    def __init__(self, workbook: Any, headers: list[str], sheet_name: str) -> None:
        self.workbook = workbook
        self.headers = headers
        self.sheet_name = sheet_name[:28]
        self.sheets = 0
        self.bold = workbook.add_format({"bold": True})
        self._new_sheet()

    def _new_sheet(self) -> None:
        self.sheets += 1
        name = self.sheet_name if self.sheets == 1 else f"{self.sheet_name}{self.sheets}"
        self.sheet = self.workbook.add_worksheet(name)
        self.sheet.write_row(0, 0, self.headers, self.bold)
        self.sheet.freeze_panes(1, 0)
        self.row = 1

    def write_rows(self, rows: list[list[Cell]]) -> None:
        for cells in rows:
            if self.row > XLSX_MAX_DATA_ROWS:
                self._new_sheet()
            self.sheet.write_row(self.row, 0, cells)
            self.row += 1


def _open_workbook(path: str) -> Any:
    import xlsxwriter

    return xlsxwriter.Workbook(
        path,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "in_memory": False,
        },
    )


async def xlsx_chunks(
    columns: Sequence[ExportColumn],
    batches: AsyncIterator[Sequence[Row]],
    *,
    zh: bool,
    sheet_name: str = "export",
    tmp_dir: Path | None = None,
    chunk_bytes: int = 256 * 1024,
    tz: tzinfo | None = None,
) -> AsyncIterator[bytes]:
    """Rows → temporary XLSX file (constant memory) → chunks; the file is always removed."""
    style = CellStyle(zh, tz)
    fd, path = tempfile.mkstemp(
        prefix="anjian-export-", suffix=".xlsx", dir=str(tmp_dir) if tmp_dir else None
    )
    os.close(fd)
    try:
        workbook = await asyncio.to_thread(_open_workbook, path)
        writer = await asyncio.to_thread(
            _SheetWriter, workbook, [c.header(zh) for c in columns], sheet_name
        )
        async for batch in batches:
            cells = [row_cells(columns, row, style) for row in batch]
            await asyncio.to_thread(writer.write_rows, cells)
        await asyncio.to_thread(workbook.close)
        with open(path, "rb") as handle:  # noqa: ASYNC230 - reads run in a thread below
            while chunk := await asyncio.to_thread(handle.read, chunk_bytes):
                yield chunk
    finally:
        await asyncio.to_thread(_unlink, path)


def _unlink(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def encode(
    fmt: ExportFormat,
    columns: Sequence[ExportColumn],
    batches: AsyncIterator[Sequence[Row]],
    *,
    zh: bool,
    sheet_name: str = "export",
    tmp_dir: Path | None = None,
    tz: tzinfo | None = None,
) -> AsyncIterator[bytes]:
    if fmt is ExportFormat.xlsx:
        return xlsx_chunks(columns, batches, zh=zh, sheet_name=sheet_name, tmp_dir=tmp_dir, tz=tz)
    return csv_chunks(columns, batches, zh=zh, tz=tz)
