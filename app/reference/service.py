"""Reference data rules."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.enums import REGISTRY
from app.core.errors import NotFound, Unprocessable
from app.reference import repository
from app.reference.enums import Sector
from app.reference.schemas import EnumList, EnumValue, RegionDetail, RegionRead, SectorRead


async def get_region(session: AsyncSession, code: str) -> RegionDetail:
    chain = await repository.with_ancestors(session, code)
    if not chain or chain[-1]["code"] != code:
        raise NotFound(
            f"Region {code} not found", f"行政区划 {code} 不存在", code="region_not_found"
        )
    return RegionDetail(**chain[-1], ancestors=[RegionRead(**r) for r in chain[:-1]])


async def list_regions(session: AsyncSession, parent_code: str | None) -> list[RegionRead]:
    if parent_code and not await repository.exists(session, parent_code):
        raise NotFound(
            f"Region {parent_code} not found",
            f"行政区划 {parent_code} 不存在",
            code="region_not_found",
        )
    return [RegionRead(**r) for r in await repository.children(session, parent_code)]


async def ensure_region(
    session: AsyncSession, code: str, loc: list[str | int], *, min_level: int = 1
) -> None:
    """A region code given in a write must be a known region (at ``min_level`` or deeper)."""
    chain = await repository.with_ancestors(session, code)
    if not chain or chain[-1]["code"] != code or chain[-1]["level"] < min_level:
        raise Unprocessable.field(
            loc,
            f"Unknown region code {code}",
            "region_unknown",
            f"未知的行政区划代码 {code}",
            code="region_unknown",
        )


def sectors() -> list[SectorRead]:
    labels = REGISTRY["sector"][1]
    return [
        SectorRead(key=s.value, name_en=labels[s.value][0], name_zh=labels[s.value][1])
        for s in Sector
    ]


def enums() -> EnumList:
    return EnumList(
        enums={
            name: [
                EnumValue(value=m.value, label_en=labels[m.value][0], label_zh=labels[m.value][1])
                for m in enum_cls
            ]
            for name, (enum_cls, labels) in sorted(REGISTRY.items())
        }
    )
