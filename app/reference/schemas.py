"""Reference data schemas."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RegionRead(BaseModel):
    """An administrative division (行政区划)."""

    code: str = Field(description="Division code: 2/4/6/9 digits by level")
    name: str
    level: int = Field(description="1 province, 2 prefecture, 3 county, 4 township/street")
    parent_code: str | None


class RegionDetail(RegionRead):
    ancestors: list[RegionRead] = Field(description="From the province down to the parent")


class RegionList(BaseModel):
    items: list[RegionRead]


class SectorRead(BaseModel):
    """A sector (行业领域) named in policy."""

    key: str
    name_en: str
    name_zh: str


class SectorList(BaseModel):
    items: list[SectorRead]


class EnumValue(BaseModel):
    value: str
    label_en: str
    label_zh: str


class EnumList(BaseModel):
    enums: dict[str, list[EnumValue]]


class RegionFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parent_code: str | None = Field(default=None, pattern=r"^\d{2,12}$")


class NoFilter(BaseModel):
    """A list without parameters: an unknown one is refused (422), as everywhere."""

    model_config = ConfigDict(extra="forbid")
