"""Builders for statistics, import and export tests."""

from __future__ import annotations

import codecs
import csv
import io
from typing import Any

from httpx import AsyncClient, Response


def csv_bytes(rows: list[list[Any]], *, bom: bool = True, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return codecs.BOM_UTF8 + data if bom and encoding == "utf-8" else data


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("data")
    for number, row in enumerate(rows):
        sheet.write_row(number, 0, row)
    book.close()
    return out.getvalue()


async def upload(
    client: AsyncClient,
    headers: dict[str, str],
    content: bytes,
    *,
    kind: str = "enterprises",
    dry_run: bool = False,
    filename: str = "units.csv",
) -> Response:
    return await client.post(
        "/api/v1/import-jobs",
        headers=headers,
        files={"file": (filename, content, "application/octet-stream")},
        data={"kind": kind, "dry_run": "true" if dry_run else "false"},
    )
