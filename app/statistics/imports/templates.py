"""Downloadable import templates: the header row (required columns marked ``*``) and, in the
XLSX, a second sheet explaining each column with its allowed values and an example."""

from __future__ import annotations

import codecs
import csv
import io

from app.core.enums import REGISTRY
from app.core.export import ExportFormat
from app.statistics.imports.specs import ImportField, KindSpec


def _header(field: ImportField, zh: bool) -> str:
    return (field.zh if zh else field.en) + (" *" if field.required else "")


def _allowed(field: ImportField, zh: bool) -> str:
    if field.enum is None:
        return ""
    for enum, labels in REGISTRY.values():
        if enum is field.enum:
            return "; ".join(
                f"{v} ({zh_label if zh else en})" for v, (en, zh_label) in labels.items()
            )
    return ""


def template_bytes(spec: KindSpec, fmt: ExportFormat, zh: bool) -> bytes:
    headers = [_header(f, zh) for f in spec.fields]
    if fmt is ExportFormat.csv:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(headers)
        return codecs.BOM_UTF8 + buffer.getvalue().encode()
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
    bold = book.add_format({"bold": True})
    as_text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet(spec.name_zh[:31] if zh else spec.name_en[:31])
    sheet.write_row(0, 0, headers, bold)
    sheet.set_column(0, len(headers) - 1, 22, as_text)  # codes stay text (leading zeros)
    sheet.freeze_panes(1, 0)
    notes = book.add_worksheet("说明" if zh else "instructions")
    notes.write_row(
        0,
        0,
        [
            "列" if zh else "Column",
            "必填" if zh else "Required",
            "可选值" if zh else "Allowed values",
            "示例" if zh else "Example",
        ],
        bold,
    )
    for row, field in enumerate(spec.fields, start=1):
        notes.write_row(
            row,
            0,
            [
                _header(field, zh),
                ("是" if zh else "yes") if field.required else "",
                _allowed(field, zh),
                field.example,
            ],
        )
    notes.write(
        len(spec.fields) + 2,
        0,
        "只读取第一个工作表；列可用中文或英文表头；多个行业用分号分隔。"
        if zh
        else "Only the first sheet is read; headers may be English or Chinese; separate "
        "several sectors with semicolons.",
    )
    book.close()
    return out.getvalue()
