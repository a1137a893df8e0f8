"""Append one audit row per write, in the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Required, TypedDict, Unpack

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.core import request_context
from app.core.plain import plain
from app.core.privacy import contact_phones_shown
from app.models.audit import AuditEvent


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, Any]:
    """Changed fields as ``{field: {"old": …, "new": …}}``."""
    before, after = before or {}, after or {}
    changes: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        old, new = plain(before.get(key)), plain(after.get(key))
        if old != new:
            changes[key] = {"old": old, "new": new}
    return changes


class AuditFields(TypedDict, total=False):
    """What a writer says about one audited step (``action``, ``resource_type`` and
    ``resource_id`` are required)."""

    action: Required[str]
    resource_type: Required[str]
    resource_id: Required[uuid.UUID | str]
    changes: dict[str, Any] | None
    region_code: str | None


def audit_row(principal: Principal, **fields: Unpack[AuditFields]) -> dict[str, Any]:
    """The column values of one audit row (for writers that insert it themselves)."""
    ctx = request_context.current.get()
    return {
        "actor_subject": principal.subject,
        "actor_role": principal.role.value,
        "actor_person_id": principal.person_id,
        "actor_api_key_id": principal.api_key_id,
        "action": fields["action"],
        "resource_type": fields["resource_type"],
        "resource_id": str(fields["resource_id"]),
        "region_code": fields.get("region_code"),
        "changes": plain(fields.get("changes") or {}),
        "request_id": ctx.request_id,
        "client_address": ctx.client_address,
        "user_agent": ctx.user_agent,
    }


def record_audit(
    session: AsyncSession, principal: Principal, **fields: Unpack[AuditFields]
) -> None:
    session.add(AuditEvent(**audit_row(principal, **fields)))


PERSONAL_DATA_READ = "personal_data_read"


def record_personal_data_read(
    session: AsyncSession,
    principal: Principal,
    *,
    resource_type: str,
    resource_id: uuid.UUID | str,
    fields: list[str],
    region_code: str | None = None,
) -> None:
    """An unmasked read of personal data (phones, a reporter's identity…) is audited too:
    one row per record shown, ``changes = {"fields_read": [...]}``, never the values."""
    record_audit(
        session,
        principal,
        action=PERSONAL_DATA_READ,
        resource_type=resource_type,
        resource_id=resource_id,
        changes={"fields_read": sorted(fields)},
        region_code=region_code,
    )


def record_contact_reveals(
    session: AsyncSession,
    principal: Principal,
    *,
    resource_type: str,
    items: Iterable[Any],
    contacts: Iterable[str],
) -> None:
    """Audit the contact phones a read shows unmasked (``items``: the response models or rows
    sent, with ``id`` and ``region_code``): one row per record that shows a number."""
    if not principal.can("personal_data:read"):
        return
    contacts = tuple(contacts)
    for item in items:
        fields = contact_phones_shown(item, contacts)
        if fields:
            record_personal_data_read(
                session,
                principal,
                resource_type=resource_type,
                resource_id=_field(item, "id"),
                fields=fields,
                region_code=_field(item, "region_code"),
            )


def _field(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, Mapping) else getattr(item, key, None)


def record_personal_data_export(
    session: AsyncSession,
    principal: Principal,
    *,
    resource_type: str,
    fields: list[str],
    filters: Mapping[str, Any],
    region_code: str | None = None,
) -> None:
    """An export that carries unmasked personal data is one audited read of the whole set:
    ``resource_id = "export"``, the fields and the filters that chose the rows."""
    if not principal.can("personal_data:read"):
        return
    record_audit(
        session,
        principal,
        action=PERSONAL_DATA_READ,
        resource_type=resource_type,
        resource_id="export",
        changes={"fields_read": sorted(fields), "filters": dict(filters)},
        region_code=_export_region(principal, region_code),
    )


def _export_region(principal: Principal, requested: str | None) -> str | None:
    """The region an export's audit row is filed under: what the rows can come from, i.e. the
    requested region within the caller's own. A filter on a foreign region (no row can match)
    is filed under the caller's region, never the foreign one (whose office would read it)."""
    own = principal.region_code
    if own is None or (requested is not None and requested.startswith(own)):
        return requested if requested is not None else own
    return own
