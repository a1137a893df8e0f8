"""Enterprise registry rules: validation, scope on write, status actions, audit and events."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import diff, record_audit, record_contact_reveals
from app.auth.principal import Principal, Role
from app.auth.scope import ensure_unit_writable, require, require_fields
from app.config import Settings
from app.core.clock import utcnow
from app.core.concurrency import check_version
from app.core.creation import ensure_same_create
from app.core.enums import zh_label, zh_labels
from app.core.errors import Conflict, NotFound, Unprocessable, reject_nulls
from app.core.ids import new_id
from app.core.listing import ListSpec, SyncView, run_list
from app.core.privacy import mask_contact
from app.core.problems import register_constraint
from app.enterprises import main_responsible, repository
from app.enterprises.schemas import (
    EnterpriseCreate,
    EnterpriseFilter,
    EnterprisePage,
    EnterpriseRead,
    EnterpriseStatusChange,
    EnterpriseUpdate,
)
from app.enterprises.uscc import UsccError, authority_region, validate_uscc
from app.events.outbox import emit_event
from app.models.enterprise import Enterprise
from app.reference.enums import EnterpriseStatus
from app.reference.repository import exists as region_exists
from app.reference.service import ensure_region

RESOURCE = "enterprise"
_FIELDS = (
    "uscc",
    "name",
    "kind",
    "region_code",
    "address",
    "lat",
    "lon",
    "sectors",
    "industry_code",
    "legal_representative",
    "main_responsible_person",
    "safety_manager",
    "size",
    "risk_grade",
    "licences",
)
# PATCH may not null these (send [] to clear a list that may be empty, such as licences).
_REQUIRED = ("name", "kind", "region_code", "sectors", "licences")
_CONTACTS = ("legal_representative", "main_responsible_person", "safety_manager")
LIST_SPEC = ListSpec(
    RESOURCE, repository.SORTABLE, "name", Enterprise.id, Enterprise.sync_xid, Enterprise.sync_seq
)

_USCC_TAKEN = (
    "A live enterprise already uses this credit code",
    "该统一社会信用代码已被在册单位使用",
)
register_constraint("uq_enterprise_uscc_live", 409, "enterprise_uscc_taken", *_USCC_TAKEN)

# Which status an action leads to, and from which statuses it may be taken.
STATUS_ACTIONS: dict[str, tuple[EnterpriseStatus, set[EnterpriseStatus]]] = {
    "suspend": (EnterpriseStatus.suspended, {EnterpriseStatus.operating}),
    "resume": (EnterpriseStatus.operating, {EnterpriseStatus.suspended}),
    "close": (EnterpriseStatus.closed, {EnterpriseStatus.operating, EnterpriseStatus.suspended}),
}


_ACTION_ZH = {"suspend": "停产停业整顿", "resume": "恢复生产经营", "close": "关闭取缔"}


def _not_found() -> NotFound:
    return NotFound("Enterprise not found", "生产经营单位不存在", code="enterprise_not_found")


def to_read(row: dict[str, Any], principal: Principal) -> EnterpriseRead:
    data = dict(row)
    lat, lon = data.pop("lat", None), data.pop("lon", None)
    data["location"] = {"lat": lat, "lon": lon} if lat is not None and lon is not None else None
    if not principal.can("personal_data:read"):
        for key in _CONTACTS:
            data[key] = mask_contact(data.get(key))
    return EnterpriseRead.model_validate(data)


def _columns(data: dict[str, Any]) -> dict[str, Any]:
    """Schema fields → table columns (location becomes lat/lon)."""
    out = dict(data)
    if "location" in out:
        location = out.pop("location")
        out["lat"] = location["lat"] if location else None
        out["lon"] = location["lon"] if location else None
    return out


def _snapshot(ent: Enterprise) -> dict[str, Any]:
    return {f: getattr(ent, f) for f in _FIELDS}


async def _validated_uscc(session: AsyncSession, raw: str) -> str:
    try:
        code = validate_uscc(raw)
    except UsccError as err:
        raise Unprocessable.field(
            ["body", "uscc"], err.en, err.rule, err.zh, code=err.rule
        ) from err
    if not await region_exists(session, authority_region(code)):
        raise Unprocessable.field(
            ["body", "uscc"],
            f"Positions 3-8 ({code[2:8]}) are not a known region code",
            "uscc_region",
            f"第 3-8 位（{code[2:8]}）不是已知的行政区划代码",
            code="uscc_region",
        )
    return code


async def get_enterprise(
    session: AsyncSession, principal: Principal, enterprise_id: uuid.UUID
) -> EnterpriseRead:
    require(principal, "enterprise:read")
    row = await repository.get_row(session, principal, enterprise_id)
    if row is None:
        raise _not_found()
    return to_read(row, principal)


def audit_contacts_shown(
    session: AsyncSession, principal: Principal, items: Iterable[EnterpriseRead]
) -> None:
    """A GET that shows contact phones unmasked leaves one audit row per enterprise shown."""
    record_contact_reveals(
        session, principal, resource_type=RESOURCE, items=items, contacts=_CONTACTS
    )


async def list_enterprises(
    session: AsyncSession, settings: Settings, principal: Principal, query: EnterpriseFilter
) -> EnterprisePage:
    require(principal, "enterprise:read")
    scoped = repository.visible(principal, include_deleted=query.changed_since is not None)
    stmt = repository.filtered(
        scoped,
        region=query.region,
        sectors=list(query.sector),
        statuses=list(query.status),
        risk_grades=list(query.risk_grade),
        kinds=list(query.kind),
        q=query.q,
    )
    listed = await run_list(
        session,
        settings,
        LIST_SPEC,
        stmt,
        filters=query.model_dump(exclude={"sort", "limit", "cursor", "changed_since"}),
        sort=query.sort,
        cursor=query.cursor,
        limit=query.limit,
        changed_since=query.changed_since,
        view=SyncView(principal, scoped, repository.was_visible(principal)),
    )
    items = [to_read(r, principal) for r in listed.rows]
    return EnterprisePage(items=items, next_cursor=listed.next_cursor, removed=listed.removed)


async def create_enterprise(
    session: AsyncSession, principal: Principal, data: EnterpriseCreate
) -> tuple[EnterpriseRead, bool]:
    require(principal, "enterprise:write")
    payload = _columns(data.model_dump(exclude={"id"}, mode="json"))
    payload["uscc"] = await _validated_uscc(session, data.uscc)
    if data.id is not None:
        existing = await repository.get_any(session, data.id)
        if existing is not None:
            replayed = await get_enterprise(session, principal, data.id)
            ensure_same_create(_snapshot(existing), payload)
            return replayed, False
    ensure_unit_writable(
        principal,
        region_code=data.region_code,
        sectors=payload["sectors"],
        enterprise_id=None,
        what="Region",
        what_zh="该区划",
    )
    await ensure_region(session, data.region_code, ["body", "region_code"], min_level=4)
    if await repository.live_uscc_taken(session, payload["uscc"]):
        raise Conflict(*_USCC_TAKEN, code="enterprise_uscc_taken")
    ent = Enterprise(id=data.id or new_id(), status=EnterpriseStatus.operating.value, **payload)
    session.add(ent)
    await session.flush()
    record_audit(
        session,
        principal,
        action="create",
        resource_type=RESOURCE,
        resource_id=ent.id,
        changes=diff(None, payload),
        region_code=ent.region_code,
    )
    _emit(session, "enterprise.created", ent)
    return await get_enterprise(session, principal, ent.id), True


def _emit(session: AsyncSession, event_type: str, ent: Enterprise, **extra: Any) -> None:
    emit_event(
        session,
        event_type,
        resource_type=RESOURCE,
        resource_id=ent.id,
        data={"version": ent.version, "status": ent.status, **extra},
        region_code=ent.region_code,
        sectors=list(ent.sectors),
        enterprise_id=ent.id,
    )


async def _locked(
    session: AsyncSession,
    principal: Principal,
    enterprise_id: uuid.UUID,
    expected_version: int | None,
) -> Enterprise:
    ent = await repository.get_for_update(session, principal, enterprise_id)
    if ent is None:
        raise _not_found()
    check_version(expected_version, ent.version)
    return ent


async def update_enterprise(
    session: AsyncSession,
    principal: Principal,
    enterprise_id: uuid.UUID,
    data: EnterpriseUpdate,
    expected_version: int | None,
) -> EnterpriseRead:
    if principal.role is Role.enterprise_user:
        require(principal, "enterprise:self_update")
    else:
        require(principal, "enterprise:write")
    ent = await _locked(session, principal, enterprise_id, expected_version)
    changes_in = data.model_dump(exclude_unset=True, mode="json")
    require_fields(principal, RESOURCE, changes_in)
    reject_nulls(changes_in, _REQUIRED)
    changes_in = _columns(changes_in)
    if "main_responsible_person" in changes_in:
        await main_responsible.ensure_declarable(session, ent.id)
    if "region_code" in changes_in or "sectors" in changes_in:
        region = changes_in.get("region_code") or ent.region_code
        ensure_unit_writable(
            principal,
            region_code=region,
            sectors=changes_in.get("sectors") or list(ent.sectors),
            enterprise_id=ent.id,
            what="Region",
            what_zh="该区划",
        )
        await ensure_region(session, region, ["body", "region_code"], min_level=4)
    before = _snapshot(ent)
    for key, value in changes_in.items():
        setattr(ent, key, value)
    changes = diff(before, _snapshot(ent))
    if changes:
        await session.flush()
        record_audit(
            session,
            principal,
            action="update",
            resource_type=RESOURCE,
            resource_id=ent.id,
            changes=changes,
            region_code=ent.region_code,
        )
        _emit(session, "enterprise.updated", ent, changed=sorted(changes))
    return await get_enterprise(session, principal, ent.id)


async def delete_enterprise(
    session: AsyncSession,
    principal: Principal,
    enterprise_id: uuid.UUID,
    expected_version: int | None,
) -> None:
    require(principal, "enterprise:delete")
    ent = await _locked(session, principal, enterprise_id, expected_version)
    ent.deleted_at = utcnow()
    await session.flush()
    record_audit(
        session,
        principal,
        action="delete",
        resource_type=RESOURCE,
        resource_id=ent.id,
        changes={"deleted_at": {"old": None, "new": ent.deleted_at}},
        region_code=ent.region_code,
    )
    _emit(session, "enterprise.deleted", ent)


async def change_status(
    session: AsyncSession,
    principal: Principal,
    enterprise_id: uuid.UUID,
    action: str,
    data: EnterpriseStatusChange,
    expected_version: int | None,
) -> EnterpriseRead:
    """suspend / resume / close, each with a reason and a document number."""
    require(principal, "enterprise:status")
    ent = await _locked(session, principal, enterprise_id, expected_version)
    await apply_status(session, principal, ent, action, data.reason, data.document_number)
    return await get_enterprise(session, principal, ent.id)


async def apply_status(
    session: AsyncSession,
    principal: Principal,
    ent: Enterprise,
    action: str,
    reason: str,
    document_number: str,
) -> None:
    """Also used by hazard escalation (suspension, closure) inside its own transaction."""
    target, allowed_from = STATUS_ACTIONS[action]
    if EnterpriseStatus(ent.status) not in allowed_from:
        allowed = sorted(s.value for s in allowed_from)
        raise Conflict(
            f"An enterprise that is {ent.status} cannot {action} (allowed from: "
            f"{', '.join(allowed)})",
            f"单位当前状态为{zh_label('enterprise_status', ent.status)}，不能执行"
            f"「{_ACTION_ZH[action]}」（{action}）；允许的状态："
            f"{zh_labels('enterprise_status', allowed)}",
            code="enterprise_status_transition",
        )
    before = {
        "status": ent.status,
        "status_reason": ent.status_reason,
        "status_document_number": ent.status_document_number,
    }
    ent.status, ent.status_reason, ent.status_document_number = (
        target.value,
        reason,
        document_number,
    )
    await session.flush()
    record_audit(
        session,
        principal,
        action=action,
        resource_type=RESOURCE,
        resource_id=ent.id,
        changes=diff(
            before,
            {
                "status": ent.status,
                "status_reason": reason,
                "status_document_number": document_number,
            },
        ),
        region_code=ent.region_code,
    )
    _emit(
        session, f"enterprise.{target.value}", ent, reason=reason, document_number=document_number
    )
