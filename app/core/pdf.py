"""Printable documents in the official layout (公文格式), rendered with ReportLab.

A domain describes a document as a ``PrintDocument`` (issuing unit, title, document number,
addressee, parties, sections of facts / legal basis / decision / deadline, signatures with their
images, seal area); ``render_pdf`` lays it out on A4 in Chinese with ReportLab's built-in CID
font STSong-Light (宋体), so no font file is needed and nothing is fetched. Rendering is CPU work:
call it through ``asyncio.to_thread`` from a request (``render_pdf_async``).
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app.core.clock import CHINA_TZ

FONT = "STSong-Light"
PDF_MEDIA_TYPE = "application/pdf"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

_BASE = ParagraphStyle("base", fontName=FONT, fontSize=11.5, leading=19, alignment=TA_LEFT)
_STYLES = {
    "issuer": ParagraphStyle("issuer", parent=_BASE, fontSize=16, leading=24, alignment=TA_CENTER),
    "title": ParagraphStyle(
        "title", parent=_BASE, fontSize=21, leading=30, alignment=TA_CENTER, spaceAfter=4
    ),
    "number": ParagraphStyle("number", parent=_BASE, alignment=TA_CENTER, spaceAfter=8),
    "addressee": ParagraphStyle("addressee", parent=_BASE, spaceBefore=6, spaceAfter=4),
    "heading": ParagraphStyle("heading", parent=_BASE, fontSize=12.5, spaceBefore=8),
    "body": ParagraphStyle("body", parent=_BASE, firstLineIndent=23),
    "cell": ParagraphStyle("cell", parent=_BASE, fontSize=10.5, leading=15),
    "small": ParagraphStyle("small", parent=_BASE, fontSize=9, leading=13),
    "right": ParagraphStyle("right", parent=_BASE, alignment=TA_RIGHT),
}
_SIGNATURE_IMAGE_MM = (36, 14)
_SEAL_DIAMETER = 40 * mm


@dataclass
class Section:
    """A titled part of the body: paragraphs, then label/value rows (a table)."""

    heading: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    rows: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Signature:
    """One signature line: who signs in what capacity, when, and the image if one was given."""

    capacity: str  # 执法人员 / 被检查单位负责人 / 承办人 …
    name: str | None = None
    detail: str | None = None  # certificate number, "在检查人员设备上签署" …
    signed_at: str | None = None
    image: bytes | None = None
    note: str | None = None  # e.g. the head's refusal to sign


@dataclass
class PrintDocument:
    issuer: str  # 发文机关 (printed at the top and beside the seal)
    title: str  # 文书名称
    number: str | None = None  # 文号
    addressee: str | None = None  # 主送：被检查单位名称
    parties: list[tuple[str, str]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)
    seal: bool = True  # the seal area (印章) with the issuer and the date
    seal_date: date | None = None
    notes: list[str] = field(default_factory=list)  # 告知事项, printed small at the end
    reference: str = ""  # the record's id, printed in the footer
    subject: str = ""  # PDF metadata


def text(value: Any) -> str:
    """A value as printed: empty for None, Chinese dates, China time for moments."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = value.astimezone(CHINA_TZ)
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    if isinstance(value, date):
        return chinese_date(value)
    return str(value)


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _p(value: str, style: str = "body") -> Paragraph:
    """A paragraph of plain text (escaped; line breaks kept)."""
    return Paragraph(escape(value).replace("\n", "<br/>"), _STYLES[style])


def _rows_table(rows: list[tuple[str, str]]) -> Table:
    data = [[_p(label, "cell"), _p(value or "—", "cell")] for label, value in rows]
    table = Table(data, colWidths=[38 * mm, 122 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (0, -1), colors.Color(0.94, 0.94, 0.94)),
            ]
        )
    )
    return table


def _signature_image(data: bytes) -> Image | Paragraph:
    try:
        reader = ImageReader(io.BytesIO(data))
        width, height = reader.getSize()
    except Exception:  # not an image ReportLab can read (e.g. a PDF scan): say so, never fail
        return _p("（签名图像为非图片格式，见附件）", "small")
    box_w, box_h = (v * mm for v in _SIGNATURE_IMAGE_MM)
    scale = min(box_w / width, box_h / height)
    return Image(io.BytesIO(data), width=width * scale, height=height * scale)


def _signature_table(signatures: list[Signature]) -> Table:
    header = [_p(h, "cell") for h in ("签署人身份", "姓名", "签名", "签署时间")]
    data: list[list[Any]] = [header]
    for s in signatures:
        who = s.name or ""
        if s.detail:
            who = f"{who}\n{s.detail}"
        if s.image is not None:
            mark: Any = _signature_image(s.image)
        else:
            mark = _p(s.note or ("（已签署）" if s.signed_at else ""), "cell")
        data.append([_p(s.capacity, "cell"), _p(who, "cell"), mark, _p(s.signed_at or "", "cell")])
    table = Table(data, colWidths=[32 * mm, 44 * mm, 44 * mm, 40 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.94, 0.94, 0.94)),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white]),
            ]
        )
    )
    return table


class _SealArea(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """The seal area: a dashed circle marked 印章, the issuer and the date beside it."""

    def __init__(self, issuer: str, day: date | None) -> None:
        super().__init__()
        self.issuer, self.day = issuer, day
        self.width, self.height = 160 * mm, _SEAL_DIAMETER + 4 * mm

    def draw(self) -> None:
        c = self.canv
        r = _SEAL_DIAMETER / 2
        cx, cy = self.width - r - 6 * mm, self.height / 2
        c.saveState()
        c.setDash(3, 2)
        c.setStrokeColor(colors.Color(0.6, 0.6, 0.6))
        c.circle(cx, cy, r)
        c.setDash()
        c.setFillColor(colors.Color(0.55, 0.55, 0.55))
        c.setFont(FONT, 10)
        c.drawCentredString(cx, cy - 4, "（印章）")
        c.setFillColor(colors.black)
        c.setFont(FONT, 12)
        c.drawRightString(cx - r - 4 * mm, cy + 5 * mm, self.issuer)
        c.drawRightString(cx - r - 4 * mm, cy - 3 * mm, chinese_date(self.day) if self.day else "")
        c.restoreState()


def _footer(reference: str) -> Any:
    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8.5)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"第 {doc.page} 页")
        if reference:
            canvas.drawRightString(A4[0] - 22 * mm, 12 * mm, f"编号 {reference}")
        canvas.restoreState()

    return draw


def render_pdf(document: PrintDocument) -> bytes:
    """The document as PDF bytes (A4, Chinese, official layout)."""
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=28 * mm,
        bottomMargin=24 * mm,
        title=document.title,
        author=document.issuer,
        subject=document.subject or document.title,
        creator="Anjian 安监",
    )
    story: list[Flowable] = []
    if document.issuer:
        story.append(_p(document.issuer, "issuer"))
    story.append(_p(document.title, "title"))
    if document.number:
        story.append(_p(document.number, "number"))
    if document.addressee:
        story.append(_p(f"{document.addressee}：", "addressee"))
    if document.parties:
        story += [_rows_table(document.parties), Spacer(1, 4 * mm)]
    for section in document.sections:
        part: list[Flowable] = []
        if section.heading:
            part.append(_p(section.heading, "heading"))
        part += [_p(p) for p in section.paragraphs if p]
        if section.rows:
            part += [Spacer(1, 2 * mm), _rows_table(section.rows)]
        story += part
    if document.signatures:
        story += [
            Spacer(1, 5 * mm),
            KeepTogether([_p("签署", "heading"), _signature_table(document.signatures)]),
        ]
    if document.seal:
        story += [Spacer(1, 6 * mm), _SealArea(document.issuer, document.seal_date)]
    if document.notes:
        story.append(Spacer(1, 4 * mm))
        story += [_p(n, "small") for n in document.notes]
    footer = _footer(document.reference)
    template.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


async def render_pdf_async(document: PrintDocument) -> bytes:
    return await asyncio.to_thread(render_pdf, document)
