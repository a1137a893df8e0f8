"""What each import kind reads: its columns (headers as in the export, en and zh) and how a
row becomes the create schema of its domain, written by the domain's own service function."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.core.enums import REGISTRY
from app.core.validation_zh import message_zh
from app.enterprises import service as enterprise_service
from app.enterprises.schemas import EnterpriseCreate
from app.hazards import service as hazard_service
from app.hazards.enums import HazardCategory, HazardLevel, HazardSource
from app.hazards.schemas import HazardCreate
from app.reference.enums import EnterpriseSize, RiskGrade, Sector, UnitKind
from app.statistics.enums import ImportKind
from app.statistics.imports.reader import text_of
from app.statistics.imports.repository import enterprise_in_scope

RowError = dict[str, Any]
_LIST_SPLIT = re.compile(r"[;,，、；\s]+")
_LIST_SEPARATORS = re.compile(r"[;,，、；]+")


@dataclass(frozen=True)
class ImportField:
    key: str
    en: str
    zh: str
    required: bool = False
    enum: type[StrEnum] | None = None
    many: bool = False
    example: str = ""

    def names(self) -> set[str]:
        return {normalise(self.key), normalise(self.en), normalise(self.zh)}


def normalise(header: str) -> str:
    return header.strip().rstrip("*＊").strip().lower()


def _enum_value(enum: type[StrEnum], raw: str) -> str:
    """A code (``hazchem``), its label in either language (``危险化学品``), or a part of a label
    that names one value only (``红`` for ``重大风险（红）``)."""
    wanted = raw.strip().lower()
    for registered, labels in REGISTRY.values():
        if registered is enum:
            partial = []
            for value, (en, zh) in labels.items():
                if wanted in (value.lower(), en.lower(), zh.lower()):
                    return value
                if wanted and (wanted in en.lower() or wanted in zh):
                    partial.append(value)
            if len(partial) == 1:
                return partial[0]
    return raw.strip()


def _is_label(enum: type[StrEnum], text: str) -> bool:
    """Whether ``text`` is exactly one value's code or label."""
    wanted = text.strip().lower()
    for registered, labels in REGISTRY.values():
        if registered is enum:
            return any(
                wanted in (value.lower(), en.lower(), zh.lower())
                for value, (en, zh) in labels.items()
            )
    return False


def cell_value(spec: ImportField, raw: Any) -> Any:
    text = text_of(raw)
    if text is None:
        return None
    if spec.many:
        # ";" and the like separate values; spaces only when there is no separator (labels such
        # as "Hazardous chemicals", which an English export writes, hold spaces)
        splitter = _LIST_SEPARATORS if _LIST_SEPARATORS.search(text) else _LIST_SPLIT
        if spec.enum and splitter is _LIST_SPLIT and _is_label(spec.enum, text):
            splitter = _LIST_SEPARATORS
        parts = [p.strip() for p in splitter.split(text) if p.strip()]
        values = [_enum_value(spec.enum, p) if spec.enum else p for p in parts]
        return list(dict.fromkeys(values))
    return _enum_value(spec.enum, text) if spec.enum else text


Create = Callable[[AsyncSession, Principal, BaseModel], Awaitable[tuple[Any, bool]]]
Prepare = Callable[[AsyncSession, Principal, dict[str, Any]], Awaitable[list[dict[str, Any]]]]


@dataclass(frozen=True)
class KindSpec:
    kind: ImportKind
    fields: tuple[ImportField, ...]
    schema: type[BaseModel]
    to_payload: Callable[[Mapping[str, Any]], dict[str, Any]]
    loc_to_column: Callable[[Sequence[str | int]], str]
    create: Create
    permission: str
    unique_key: str | None = None  # a column that must not repeat within one file
    # resolves references (e.g. an enterprise by its credit code) into ``values``, or errors
    prepare: Prepare | None = None
    name_en: str = ""
    name_zh: str = ""
    by_name: dict[str, ImportField] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for f in self.fields:
            for name in f.names():
                self.by_name[name] = f


def build(spec: KindSpec, values: Mapping[str, Any]) -> tuple[BaseModel | None, list[RowError]]:
    """Row values (by column key) → the domain's create schema, or the row's field errors."""
    missing = [f for f in spec.fields if f.required and values.get(f.key) in (None, [], "")]
    errors: list[RowError] = [
        error(f.key, "missing", f"{f.en} is required", f"“{f.zh}”为必填项") for f in missing
    ]
    if errors:
        return None, errors
    try:
        return spec.schema.model_validate(spec.to_payload(values)), []
    except ValidationError as err:
        return None, [
            error(
                spec.loc_to_column(e["loc"]),
                e["type"],
                e["msg"],
                message_zh(e["type"], e["msg"], e.get("ctx")),
            )
            for e in err.errors()
        ]


def error(column: str | None, code: str, message: str, message_zh: str) -> RowError:
    return {"column": column, "code": code, "message": message, "message_zh": message_zh}


# --- enterprises ----------------------------------------------------------------------------

_CONTACTS = ("legal_representative", "main_responsible_person", "safety_manager")

ENTERPRISE_FIELDS: tuple[ImportField, ...] = (
    ImportField("id", "ID", "系统编号", example="(optional: re-importing the same id is a no-op)"),
    ImportField(
        "uscc", "Unified social credit code", "统一社会信用代码", True, example="91330106MA2XXXXXXX"
    ),
    ImportField("name", "Name", "单位名称", True, example="杭州某化工有限公司"),
    ImportField("kind", "Kind", "单位类型", enum=UnitKind, example="enterprise"),
    ImportField("region_code", "Region code", "所属乡镇（街道）代码", True, example="330106002"),
    ImportField("address", "Address", "地址", example="西湖区某路1号"),
    ImportField("lat", "Latitude", "纬度", example="30.259"),
    ImportField("lon", "Longitude", "经度", example="120.13"),
    ImportField(
        "sectors",
        "Sectors",
        "行业领域",
        True,
        enum=Sector,
        many=True,
        example="hazchem;industry_trade",
    ),
    ImportField("industry_code", "Industry code (GB/T 4754)", "国民经济行业代码", example="C26"),
    ImportField("legal_representative_name", "Legal representative", "法定代表人"),
    ImportField("legal_representative_phone", "Legal representative phone", "法定代表人电话"),
    ImportField(
        "main_responsible_person_name", "Main responsible person", "主要负责人", example="张三"
    ),
    ImportField(
        "main_responsible_person_phone",
        "Main responsible person phone",
        "主要负责人电话",
        example="13812345678",
    ),
    ImportField("safety_manager_name", "Safety manager", "安全管理人员"),
    ImportField("safety_manager_phone", "Safety manager phone", "安全管理人员电话"),
    ImportField("size", "Size", "企业规模", enum=EnterpriseSize, example="small"),
    ImportField("risk_grade", "Risk grade", "风险等级", enum=RiskGrade, example="yellow"),
)


def enterprise_payload(values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in (
        "id",
        "uscc",
        "name",
        "kind",
        "region_code",
        "address",
        "sectors",
        "industry_code",
        "size",
        "risk_grade",
    ):
        if values.get(key) is not None:
            out[key] = values[key]
    if values.get("lat") is not None or values.get("lon") is not None:
        out["location"] = {"lat": values.get("lat"), "lon": values.get("lon")}
    for contact in _CONTACTS:
        name, phone = values.get(f"{contact}_name"), values.get(f"{contact}_phone")
        if name is not None or phone is not None:
            out[contact] = {"name": name, "phone": phone}
    return out


def enterprise_column(loc: Sequence[str | int]) -> str:
    head = str(loc[0]) if loc else ""
    if head in _CONTACTS:
        return f"{head}_{loc[1]}" if len(loc) > 1 else f"{head}_name"
    if head == "location":
        return str(loc[1]) if len(loc) > 1 and loc[1] in ("lat", "lon") else "lat"
    return head


async def _create_enterprise(
    session: AsyncSession, principal: Principal, data: BaseModel
) -> tuple[Any, bool]:
    assert isinstance(data, EnterpriseCreate)
    return await enterprise_service.create_enterprise(session, principal, data)


ENTERPRISES = KindSpec(
    kind=ImportKind.enterprises,
    fields=ENTERPRISE_FIELDS,
    schema=EnterpriseCreate,
    to_payload=enterprise_payload,
    loc_to_column=enterprise_column,
    create=_create_enterprise,
    permission="enterprise:write",
    unique_key="uscc",
    name_en="enterprises",
    name_zh="生产经营单位导入模板",
)

# --- hazards --------------------------------------------------------------------------------

HAZARD_FIELDS: tuple[ImportField, ...] = (
    ImportField("id", "ID", "系统编号", example="(optional: re-importing the same id is a no-op)"),
    ImportField(
        "enterprise_uscc",
        "Enterprise credit code",
        "单位统一社会信用代码",
        True,
        example="91330106MA2XXXXXXX",
    ),
    ImportField("title", "Title", "隐患名称", True, example="储罐区静电接地失效"),
    ImportField("description", "Description", "隐患描述"),
    ImportField("cause", "Cause", "隐患成因"),
    ImportField("sector", "Sector", "行业领域", True, enum=Sector, example="hazchem"),
    ImportField("place", "Place", "隐患部位", example="储罐区"),
    ImportField(
        "category", "Category", "隐患类别", True, enum=HazardCategory, example="unsafe_condition"
    ),
    ImportField("level", "Level", "隐患等级", enum=HazardLevel, example="general"),
    ImportField("source", "Source", "隐患来源", True, enum=HazardSource, example="departmental"),
    ImportField("found_at", "Found at", "发现时间", example="2026-11-20T10:00:00+08:00"),
    ImportField("found_by_name", "Found by", "发现人"),
    ImportField("responsible_person_name", "Responsible person", "整改责任人"),
    ImportField("responsible_person_phone", "Responsible person phone", "整改责任人电话"),
    ImportField("responsible_unit", "Responsible unit", "整改责任单位"),
)


def hazard_payload(values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        k: values[k]
        for k in (
            "id",
            "enterprise_id",
            "title",
            "description",
            "cause",
            "sector",
            "place",
            "category",
            "level",
            "source",
            "found_at",
            "found_by_name",
            "responsible_unit",
        )
        if values.get(k) is not None
    }
    name, phone = values.get("responsible_person_name"), values.get("responsible_person_phone")
    if name is not None or phone is not None:
        out["responsible_person"] = {"name": name, "phone": phone}
    return out


def hazard_column(loc: Sequence[str | int]) -> str:
    head = str(loc[0]) if loc else ""
    if head == "responsible_person":
        return f"responsible_person_{loc[1]}" if len(loc) > 1 else "responsible_person_name"
    if head == "enterprise_id":
        return "enterprise_uscc"
    return head


async def _hazard_enterprise(
    session: AsyncSession, principal: Principal, values: dict[str, Any]
) -> list[RowError]:
    uscc = values.get("enterprise_uscc")
    if not uscc:
        return []  # reported as a missing required column
    code = str(uscc).upper()
    # NUL cannot be sent to PostgreSQL (the whole import would fail): no enterprise has it
    found = None if "\x00" in code else await enterprise_in_scope(session, principal, code)
    if found is None:
        return [
            error(
                "enterprise_uscc",
                "enterprise_not_found",
                "No enterprise in your scope has this credit code",
                "您的管辖范围内没有该统一社会信用代码的单位",
            )
        ]
    values["enterprise_id"] = found
    return []


async def _create_hazard(
    session: AsyncSession, principal: Principal, data: BaseModel
) -> tuple[Any, bool]:
    assert isinstance(data, HazardCreate)
    return await hazard_service.create_or_replay(session, principal, data)


HAZARDS = KindSpec(
    kind=ImportKind.hazards,
    fields=HAZARD_FIELDS,
    schema=HazardCreate,
    to_payload=hazard_payload,
    loc_to_column=hazard_column,
    create=_create_hazard,
    permission="hazard:report",
    prepare=_hazard_enterprise,
    name_en="hazards",
    name_zh="事故隐患导入模板",
)

SPECS: dict[ImportKind, KindSpec] = {
    ImportKind.enterprises: ENTERPRISES,
    ImportKind.hazards: HAZARDS,
}
