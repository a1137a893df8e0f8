"""Row scoping: the one place that says which rows a principal may see or write.

Every repository starts its queries from these predicates, so out-of-scope rows are simply
absent (a 404 by id, never in a list).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, and_, false, true
from sqlalchemy.dialects.postgresql import array

from app.auth.policy import WRITABLE_FIELDS
from app.auth.principal import Principal, Role
from app.core.errors import Forbidden, NotFound, Unprocessable

_REGION_WIDE = {Role.committee_office, Role.town_official}
_SECTOR_BOUND = {Role.department_official, Role.inspector, Role.system}


def region_upper_bound(code: str) -> str:
    """The first code after every code that starts with ``code`` (digits, "C" collation)."""
    return code[:-1] + chr(ord(code[-1]) + 1)


def region_subtree(column: ColumnElement[Any] | Any, code: str) -> ColumnElement[bool]:
    """``column`` is ``code`` or below it, as an index-friendly range."""
    return and_(column >= code, column < region_upper_bound(code))


def unit_scope(
    principal: Principal,
    *,
    region: Any,
    sectors: Any,
    enterprise_id: Any,
) -> ColumnElement[bool]:
    """Rows tied to an inspectable unit: enterprises, hazards, visits and what hangs off them."""
    role = principal.role
    if role is Role.admin:
        return true()
    if role is Role.enterprise_user:
        if principal.enterprise_id is None:
            return false()
        return enterprise_id == principal.enterprise_id  # type: ignore[no-any-return]
    if role is Role.expert:
        return false()  # experts see only what is assigned to them (added by the repository)
    clauses: list[ColumnElement[bool]] = []
    if principal.region_code:
        clauses.append(region_subtree(region, principal.region_code))
    elif role is not Role.system:
        return false()
    if role in _SECTOR_BOUND and principal.sectors is not None:
        clauses.append(sectors.overlap(array(sorted(principal.sectors))))
    return and_(true(), *clauses)


def region_scope(principal: Principal, region: Any) -> ColumnElement[bool]:
    """Rows tied to a region only (departments, people of government units)."""
    if principal.role is Role.admin or principal.region_code is None:
        return true() if principal.role in (Role.admin, Role.system) else false()
    return region_subtree(region, principal.region_code)


def require(principal: Principal, permission: str) -> None:
    if not principal.can(permission):
        raise Forbidden(
            f"Your role ({principal.role.value}) may not do this ({permission})",
            f"当前角色（{principal.role.value}）无权执行此操作（{permission}）",
            code="permission_denied",
        )


def unseen_reference_error(errors: Iterable[dict[str, Any]]) -> Unprocessable:
    return Unprocessable(
        "A referenced record does not exist or is outside your scope",
        "引用的记录不存在或不在您的管辖范围内",
        code="reference_not_found",
        errors=list(errors),
    )


def require_fields(principal: Principal, resource: str, fields: Iterable[str]) -> None:
    """The field-level rule of ``policy.WRITABLE_FIELDS``: 403 ``field_not_writable`` naming
    every field this role may not change on this resource."""
    allowed = WRITABLE_FIELDS.get((principal.role, resource))
    if allowed is None:
        return
    refused = sorted(set(fields) - allowed)
    if refused:
        raise Forbidden(
            f"Your role ({principal.role.value}) may not change: {', '.join(refused)}",
            f"当前角色（{principal.role.value}）无权修改：{'、'.join(refused)}",
            code="field_not_writable",
            errors=[
                {"loc": ["body", name], "msg": "not writable by your role", "type": "forbidden"}
                for name in refused
            ],
        )


def unit_in_scope(
    principal: Principal,
    *,
    region_code: str,
    sectors: list[str] | set[str] | frozenset[str],
    enterprise_id: uuid.UUID | None,
) -> bool:
    """The same rule as ``unit_scope``, for a unit that is about to be written."""
    role = principal.role
    if role is Role.admin:
        return True
    if role is Role.enterprise_user:
        return enterprise_id is not None and enterprise_id == principal.enterprise_id
    if role is Role.expert:
        return False
    if principal.region_code and not region_code.startswith(principal.region_code):
        return False
    if not principal.region_code and role is not Role.system:
        return False
    return not (
        role in _SECTOR_BOUND
        and principal.sectors is not None
        and not set(sectors) & principal.sectors
    )


def ensure_unit_writable(
    principal: Principal,
    *,
    region_code: str,
    sectors: list[str],
    enterprise_id: uuid.UUID | None,
    what: str,
    what_zh: str,
) -> None:
    """Nothing may be created or moved outside the caller's scope (404: never reveal more)."""
    if not unit_in_scope(
        principal, region_code=region_code, sectors=sectors, enterprise_id=enterprise_id
    ):
        raise NotFound(
            f"{what} not found in your scope", f"{what_zh}不在您的管辖范围内", code="out_of_scope"
        )
