"""Fit rules of an assignment: the object exists and is writable by the caller, the holder
exists and fits the kind (422 with a code naming the rule otherwise)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.scope import ensure_unit_writable
from app.core.errors import Unprocessable
from app.reference.enums import Sector
from app.reference.service import ensure_region
from app.responsibility import repository
from app.responsibility.enums import (
    ENTERPRISE_STAFF_KINDS,
    KIND_RULES,
    OFFICIAL_KINDS,
    HolderType,
    ObjectType,
    ResponsibilityKind,
)

_OBJECT_FIELDS = {
    ObjectType.region: ("object_region_code",),
    ObjectType.sector_region: ("object_region_code", "object_sector"),
    ObjectType.enterprise: ("object_enterprise_id",),
    ObjectType.hazard: ("object_hazard_id",),
    ObjectType.major_hazard_source: ("object_major_hazard_source_id",),
}
ALL_OBJECT_FIELDS = (
    "object_region_code",
    "object_sector",
    "object_enterprise_id",
    "object_hazard_id",
    "object_major_hazard_source_id",
)


def unfit(loc: str, en: str, zh: str, code: str = "responsibility_kind_mismatch") -> Unprocessable:
    return Unprocessable.field(["body", loc], en, code, zh, code=code)


async def resolve_object(
    session: AsyncSession, principal: Principal, object_type: ObjectType, fields: dict[str, Any]
) -> dict[str, Any]:
    """Check the object exists and is writable; return its scope columns."""
    for name in ALL_OBJECT_FIELDS:
        wanted = name in _OBJECT_FIELDS[object_type]
        if wanted and fields.get(name) is None:
            raise unfit(
                name,
                f"{name} is required for a {object_type.value} object",
                f"责任对象为{object_type.value}时必须提供 {name}",
                "responsibility_object_fields",
            )
        if not wanted and fields.get(name) is not None:
            raise unfit(
                name,
                f"{name} does not apply to a {object_type.value} object",
                f"责任对象为{object_type.value}时不应提供 {name}",
                "responsibility_object_fields",
            )
    missing = unfit(
        "object_type",
        "The responsibility object does not exist",
        "责任对象不存在",
        "responsibility_object_not_found",
    )
    scope: dict[str, Any]
    if object_type in (ObjectType.region, ObjectType.sector_region):
        code = fields["object_region_code"]
        await ensure_region(session, code, ["body", "object_region_code"], min_level=3)
        sectors = (
            [fields["object_sector"]]
            if object_type is ObjectType.sector_region
            else [s.value for s in Sector]
        )
        scope = {"region_code": code, "sectors": sectors, "enterprise_id": None}
    elif object_type is ObjectType.enterprise:
        ent = await repository.enterprise(session, fields["object_enterprise_id"])
        if ent is None:
            raise missing
        scope = {
            "region_code": ent.region_code,
            "sectors": list(ent.sectors),
            "enterprise_id": ent.id,
        }
    elif object_type is ObjectType.hazard:
        hz = await repository.hazard(session, fields["object_hazard_id"])
        if hz is None:
            raise missing
        scope = {
            "region_code": hz.region_code,
            "sectors": list(hz.sectors),
            "enterprise_id": hz.enterprise_id,
        }
    else:
        src = await repository.major_hazard_source(session, fields["object_major_hazard_source_id"])
        ent = await repository.enterprise(session, src.enterprise_id) if src else None
        if src is None or ent is None:
            raise missing
        scope = {
            "region_code": ent.region_code,
            "sectors": list(ent.sectors),
            "enterprise_id": ent.id,
        }
    ensure_unit_writable(
        principal,
        region_code=scope["region_code"],
        sectors=scope["sectors"],
        enterprise_id=scope["enterprise_id"],
        what="Responsibility object",
        what_zh="责任对象",
    )
    return scope


async def resolve_holder(
    session: AsyncSession,
    kind: ResponsibilityKind,
    object_type: ObjectType,
    fields: dict[str, Any],
    scope: dict[str, Any],
) -> dict[str, Any]:
    person_id, dept_id = fields.get("holder_person_id"), fields.get("holder_department_id")
    if (person_id is None) == (dept_id is None):  # exactly one
        raise unfit(
            "holder_person_id",
            "Give exactly one holder: holder_person_id or holder_department_id",
            "须且只能指定一个责任人或责任单位",
            "responsibility_holder_required",
        )
    holder_type = HolderType.person if person_id is not None else HolderType.department
    holders, objects = KIND_RULES[kind]
    if holder_type not in holders:
        raise unfit(
            f"holder_{holder_type.value}_id",
            f"A {kind.value} assignment cannot be held by a {holder_type.value}",
            f"该责任类型不能由{holder_type.value}承担",
        )
    if object_type not in objects:
        raise unfit(
            "object_type",
            f"A {kind.value} assignment cannot be about a {object_type.value}",
            f"该责任类型不适用于{object_type.value}",
        )
    mismatch = "responsibility_holder_mismatch"
    if person_id is not None:
        person = await repository.person(session, person_id)
        if person is None or not person.active:
            raise unfit(
                "holder_person_id",
                "The holder does not exist or is inactive",
                "责任人不存在或已停用",
                "responsibility_holder_not_found",
            )
        if kind in ENTERPRISE_STAFF_KINDS and person.enterprise_id != scope["enterprise_id"]:
            raise unfit(
                "holder_person_id",
                "The holder must be staff of the object's enterprise",
                "责任人须为该单位人员",
                mismatch,
            )
        if kind in OFFICIAL_KINDS and person.enterprise_id is not None:
            raise unfit(
                "holder_person_id",
                "The holder must be a government official, not enterprise staff",
                "责任人须为政府（部门）工作人员",
                mismatch,
            )
        return {
            "holder_type": holder_type.value,
            "holder_person_id": person_id,
            "holder_department_id": None,
        }
    assert dept_id is not None
    dept = await repository.department(session, dept_id)
    if dept is None:
        raise unfit(
            "holder_department_id",
            "The holder unit does not exist",
            "责任单位不存在",
            "responsibility_holder_not_found",
        )
    if not str(scope["region_code"]).startswith(dept.region_code):
        raise unfit(
            "holder_department_id",
            "The unit's region does not contain the object",
            "责任单位的辖区不包含该责任对象",
            mismatch,
        )
    if kind is ResponsibilityKind.departmental_supervision and not (
        set(dept.sectors) & set(scope["sectors"])
    ):
        raise unfit(
            "holder_department_id",
            "The department does not supervise this sector",
            "该部门不监管此行业领域",
            mismatch,
        )
    if kind is ResponsibilityKind.territorial and dept.kind not in (
        "town_government",
        "county_government",
    ):
        raise unfit(
            "holder_department_id",
            "Territorial responsibility is held by a town, street or county government",
            "属地责任应由乡镇（街道）或县级政府承担",
            mismatch,
        )
    return {
        "holder_type": holder_type.value,
        "holder_person_id": None,
        "holder_department_id": dept_id,
    }
