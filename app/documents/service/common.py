"""What every printed document shares: labels, parties, money, signature images, file names."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

from app.attachments.storage import storage_for
from app.config import Settings
from app.core.clock import CHINA_TZ
from app.core.enums import REGISTRY
from app.core.pdf import text
from app.documents import repository
from app.enterprises import main_responsible
from app.models.enterprise import Enterprise

MAX_SIGNATURE_IMAGE_BYTES = 2 * 1024 * 1024
APPEAL_NOTICE = (
    "如不服本决定（指令），可以依法在六十日内向本级人民政府或者上一级主管部门申请行政复议，"
    "或者在六个月内依法向人民法院提起行政诉讼，但本决定（指令）不停止执行，法律另有规定的除外。"
)


def label(value: StrEnum | str | None) -> str:
    """The Chinese label of an enum value (the value itself when it has none)."""
    if value is None:
        return ""
    for enum_cls, labels in REGISTRY.values():
        # by class name too: two domains may declare the same enum (one registry entry)
        same = isinstance(value, enum_cls) or type(value).__name__ == enum_cls.__name__
        if same and str(value) in labels:
            return labels[str(value)][1]
    return str(value)


def end_of(day: date) -> datetime:
    """The last moment of a China date (who held a seat "on" that day)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=CHINA_TZ)


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ["", "拾", "佰", "仟"]
_SECTIONS = ["", "万", "亿", "万亿"]


def _four(n: int) -> str:
    out, zero = "", False
    for pos in range(3, -1, -1):
        d = n // 10**pos % 10
        if d == 0:
            zero = bool(out)
        else:
            out += ("零" if zero else "") + _DIGITS[d] + _UNITS[pos]
            zero = False
    return out


def rmb_upper(amount: Decimal) -> str:
    """人民币大写: 5000 → 伍仟元整, 100010.50 → 壹拾万零壹拾元伍角."""
    fen_total = int((amount * 100).quantize(Decimal(1)))
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    parts, section, need_zero = [], 0, False
    while yuan > 0:
        chunk = yuan % 10000
        if chunk:
            words = _four(chunk) + _SECTIONS[section]
            if need_zero:
                words += "零"
            parts.append(words)
            need_zero = chunk < 1000
        else:
            need_zero = bool(parts)
        yuan //= 10000
        section += 1
    head = "".join(reversed(parts)).rstrip("零") or "零"
    out = head + "元"
    if jiao == 0 and fen == 0:
        return out + "整"
    if jiao:
        out += _DIGITS[jiao] + "角"
    elif fen:
        out += "零"
    if fen:
        out += _DIGITS[fen] + "分"
    return out


def money(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    return f"人民币 {amount:,.2f} 元（{rmb_upper(amount)}）"


async def head_at(session: AsyncSession, ent: Enterprise, at: datetime) -> str | None:
    """The name of the unit's main responsible person at ``at`` (the enterprises domain's rule:
    the responsibility chain's holder then)."""
    holder = await main_responsible.holder_at(session, ent, at)
    return str(holder["name"]) if holder else None


async def unit_parties(
    session: AsyncSession, ent: Enterprise | None, at: datetime, unit_label: str = "被检查单位"
) -> list[tuple[str, str]]:
    """The inspected unit as a document names it; the main responsible person is the holder of
    the seat at ``at`` in the responsibility chain."""
    if ent is None:
        return []
    town = await repository.region_name(session, ent.region_code)
    return [
        (unit_label, ent.name),
        ("统一社会信用代码", ent.uscc),
        ("地址", ent.address or ""),
        ("所在乡镇（街道）", town or ent.region_code),
        ("主要负责人", await head_at(session, ent, at) or ""),
    ]


async def images(
    session: AsyncSession, settings: Settings, ids: Sequence[uuid.UUID | None]
) -> dict[uuid.UUID, bytes]:
    """Signature images by attachment id (missing or oversized files are left out)."""
    keys = await repository.storage_keys(session, ids)
    storage = storage_for(settings)
    out: dict[uuid.UUID, bytes] = {}
    for attachment_id, key in keys.items():
        data = b""
        try:
            async for chunk in storage.stream(key):
                data += chunk
                if len(data) > MAX_SIGNATURE_IMAGE_BYTES:
                    break
        except OSError:
            continue
        if data and len(data) <= MAX_SIGNATURE_IMAGE_BYTES:
            out[attachment_id] = data
    return out


def pdf_disposition(stem: str, stem_zh: str) -> str:
    """``inline`` (browsers show it, print from there) with an ASCII and a Chinese file name."""
    return f"inline; filename=\"{stem}.pdf\"; filename*=UTF-8''{quote(stem_zh + '.pdf')}"


def when(value: datetime | date | None) -> str:
    return text(value)
