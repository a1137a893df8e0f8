"""People rules: which unit a person of each kind belongs to, who may grant which role."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import repository as auth_repository
from app.auth.principal import Principal, Role
from app.core.errors import Forbidden, NotFound, Unprocessable
from app.departments import repository as departments
from app.enterprises import repository as enterprises
from app.models.identity import Person
from app.people.schemas import PersonKind
from app.reference.service import ensure_region

# Roles a person of each kind may hold. "system" belongs to API keys only.
_GOVERNMENT_ROLES = {
    Role.admin,
    Role.committee_office,
    Role.department_official,
    Role.town_official,
    Role.inspector,
    Role.expert,
}
ALLOWED_ROLES: dict[PersonKind, set[Role]] = {
    PersonKind.official: _GOVERNMENT_ROLES,
    PersonKind.inspector: _GOVERNMENT_ROLES,
    PersonKind.expert: {Role.expert},
    PersonKind.enterprise_staff: {Role.enterprise_user},
}


def _field(name: str, en: str, zh: str, code: str) -> Unprocessable:
    return Unprocessable.field(["body", name], en, code, zh, code=code)


def check_roles(
    principal: Principal, kind: PersonKind, roles: list[str], previous: list[str] | None = None
) -> None:
    bad = sorted(set(roles) - {r.value for r in ALLOWED_ROLES[kind]})
    if bad:
        raise _field(
            "roles",
            f"A person of kind {kind.value} cannot hold {', '.join(bad)}",
            f"该类人员不能担任角色：{'、'.join(bad)}",
            "person_role_not_allowed",
        )
    granted = set(roles) ^ set(previous or [])
    if Role.admin.value in granted and principal.role is not Role.admin:
        raise Forbidden(
            "Only an administrator may grant or withdraw the administrator role",
            "只有系统管理员可以授予或撤销管理员角色",
            code="role_grant_denied",
        )


async def check_subject_binding(
    session: AsyncSession, principal: Principal, subject: str | None
) -> None:
    """Binding an IdP subject to a record follows the role hierarchy: a subject that signed in
    (on its IdP's claims) as an administrator, or without a region, or in a region outside the
    caller's, or that an administrator's deleted record carried, is bound by an administrator
    only (otherwise a committee office could take over, and lock out, an administrator)."""
    if not subject or principal.role is Role.admin:
        return
    seen = await auth_repository.claims_sign_ins(session, subject)
    roles = set(seen.roles if seen else []) | await auth_repository.former_roles(session, subject)
    own = principal.region_code
    outside = seen is not None and (
        seen.unscoped or own is None or any(not r.startswith(own) for r in seen.region_codes)
    )
    if Role.admin.value in roles or Role.system.value in roles or outside:
        raise Forbidden(
            "This subject signed in with rights or a region you may not grant",
            "该身份标识曾以您无权授予的角色或管辖区划登录，只有系统管理员可以绑定",
            code="subject_binding_denied",
        )


def ensure_not_protected(principal: Principal, person: Person) -> None:
    """An administrator's record (its subject above all) is changed by administrators only."""
    if Role.admin.value in (person.roles or []) and principal.role is not Role.admin:
        raise Forbidden(
            "Only an administrator may change an administrator's record",
            "只有系统管理员可以修改管理员的人员记录",
            code="person_admin_protected",
        )


def _region_in_scope(principal: Principal, code: str) -> bool:
    if principal.role is Role.admin:
        return True
    return bool(principal.region_code) and code.startswith(principal.region_code or "")


async def unit_region(
    session: AsyncSession,
    principal: Principal,
    values: dict[str, Any],
) -> str:
    """Check the person's unit against its kind and the caller's scope; return its region."""
    kind = PersonKind(values["kind"])
    staff = kind is PersonKind.enterprise_staff
    if staff:
        if values.get("enterprise_id") is None:
            raise _field(
                "enterprise_id",
                "Enterprise staff need an enterprise",
                "企业人员必须属于某个生产经营单位",
                "person_enterprise_required",
            )
        if values.get("department_id") is not None or values.get("region_code") is not None:
            raise _field(
                "department_id",
                "Enterprise staff belong to an enterprise only",
                "企业人员只能属于生产经营单位",
                "person_unit_conflict",
            )
        if values.get("position") is None:
            raise _field(
                "position",
                "Enterprise staff need a position",
                "企业人员须填写职务",
                "person_position_required",
            )
    else:
        if values.get("enterprise_id") is not None:
            raise _field(
                "enterprise_id",
                "Only enterprise staff belong to an enterprise",
                "只有企业人员可以属于生产经营单位",
                "person_unit_conflict",
            )
        if values.get("position") is not None:
            raise _field(
                "position",
                "Only enterprise staff have a position",
                "只有企业人员有职务",
                "person_position_not_allowed",
            )
    if kind is PersonKind.inspector and not values.get("certificate_number"):
        raise _field(
            "certificate_number",
            "Inspectors need a law-enforcement certificate number",
            "执法人员须填写执法证号",
            "person_certificate_required",
        )
    if staff:
        ent = await enterprises.get_row(session, principal, values["enterprise_id"])
        if ent is None:
            raise NotFound(
                "Enterprise not found in your scope",
                "生产经营单位不在您的管辖范围内",
                code="enterprise_not_found",
            )
        return str(ent["region_code"])
    if values.get("department_id") is not None:
        if values.get("region_code") is not None:
            raise _field(
                "region_code",
                "The region comes from the department",
                "所属区划由部门决定，无需填写",
                "person_unit_conflict",
            )
        dept = await departments.get_row(session, principal, values["department_id"])
        if dept is None:
            raise NotFound(
                "Department not found in your scope",
                "部门不在您的管辖范围内",
                code="department_not_found",
            )
        return str(dept["region_code"])
    if kind is not PersonKind.expert or values.get("region_code") is None:
        raise _field(
            "department_id",
            "This person needs a department or town/street government",
            "该人员必须属于某个部门或乡镇（街道）",
            "person_department_required",
        )
    code = str(values["region_code"])
    if not _region_in_scope(principal, code):
        raise NotFound("Region not in your scope", "该区划不在您的管辖范围内", code="out_of_scope")
    await ensure_region(session, code, ["body", "region_code"], min_level=3)
    return code
