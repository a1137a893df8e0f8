"""The submitter of an import job, stored with it so the worker writes every row as them."""

from __future__ import annotations

import uuid
from typing import Any

from app.auth.principal import Principal, Role


def principal_data(principal: Principal) -> dict[str, Any]:
    def text(value: Any) -> str | None:
        return None if value is None else str(value)

    return {
        "role": principal.role.value,
        "subject": principal.subject,
        "person_id": text(principal.person_id),
        "api_key_id": text(principal.api_key_id),
        "region_code": principal.region_code,
        "department_id": text(principal.department_id),
        "enterprise_id": text(principal.enterprise_id),
        "sectors": None if principal.sectors is None else sorted(principal.sectors),
        "read_only": principal.read_only,
        "permissions": sorted(principal.permissions),
    }


def principal_from(data: dict[str, Any]) -> Principal:
    def uid(key: str) -> uuid.UUID | None:
        return uuid.UUID(data[key]) if data.get(key) else None

    return Principal(
        role=Role(data["role"]),
        subject=data["subject"],
        person_id=uid("person_id"),
        api_key_id=uid("api_key_id"),
        region_code=data.get("region_code"),
        department_id=uid("department_id"),
        enterprise_id=uid("enterprise_id"),
        sectors=None if data.get("sectors") is None else frozenset(data["sectors"]),
        read_only=bool(data.get("read_only")),
        permissions=frozenset(data["permissions"]),
    )
