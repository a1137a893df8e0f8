"""People workflows: create, update, soft delete, (de)activation; phone masking and its audit."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import diff, record_audit, record_personal_data_read
from app.auth.principal import Principal
from app.auth.scope import require
from app.config import Settings
from app.core.clock import utcnow
from app.core.concurrency import check_version
from app.core.creation import ensure_same_create
from app.core.errors import Conflict, NotFound, Unprocessable, reject_nulls
from app.core.ids import new_id
from app.core.listing import ListSpec, SyncView, run_list
from app.core.privacy import mask_phone
from app.core.problems import register_constraint
from app.enterprises import main_responsible
from app.events.outbox import emit_event
from app.models.identity import Person
from app.people import repository, rules
from app.people.schemas import (
    PersonCreate,
    PersonFilter,
    PersonKind,
    PersonRead,
    PersonStatusChange,
    PersonUpdate,
)

RESOURCE = "person"
_FIELDS = (
    "name",
    "kind",
    "position",
    "certificate_number",
    "department_id",
    "enterprise_id",
    "region_code",
    "roles",
    "phone",
    "subject",
    "active",
)
LIST_SPEC = ListSpec(
    RESOURCE, repository.SORTABLE, "name", Person.id, Person.sync_xid, Person.sync_seq
)

_SUBJECT_TAKEN = ("Another person already has this subject", "该身份标识已被其他人员使用")
register_constraint("uq_person_subject", 409, "person_subject_taken", *_SUBJECT_TAKEN)


def _not_found() -> NotFound:
    return NotFound("Person not found", "人员不存在", code="person_not_found")


def _field(name: str, en: str, zh: str, code: str) -> Unprocessable:
    return Unprocessable.field(["body", name], en, code, zh, code=code)


def _snapshot(person: Person) -> dict[str, Any]:
    return {f: getattr(person, f) for f in _FIELDS}


def to_read(row: dict[str, Any], principal: Principal) -> PersonRead:
    data = dict(row)
    if not principal.can("personal_data:read"):
        data["phone"] = mask_phone(data.get("phone"))
    return PersonRead.model_validate(data)


def _audit_reveals(
    session: AsyncSession, principal: Principal, rows: Iterable[dict[str, Any]]
) -> None:
    """One audit row per person whose phone number was shown unmasked."""
    if not principal.can("personal_data:read"):
        return
    for row in rows:
        if row.get("phone"):
            record_personal_data_read(
                session,
                principal,
                resource_type=RESOURCE,
                resource_id=row["id"],
                fields=["phone"],
                region_code=row.get("region_code"),
            )


async def _read(session: AsyncSession, principal: Principal, person_id: uuid.UUID) -> PersonRead:
    row = await repository.get_row(session, principal, person_id)
    if row is None:
        raise _not_found()
    return to_read(row, principal)


async def get_person(
    session: AsyncSession, principal: Principal, person_id: uuid.UUID
) -> PersonRead:
    require(principal, "person:read")
    row = await repository.get_row(session, principal, person_id)
    if row is None:
        raise _not_found()
    _audit_reveals(session, principal, [row])
    return to_read(row, principal)


async def list_people(
    session: AsyncSession, settings: Settings, principal: Principal, query: PersonFilter
) -> tuple[list[PersonRead], str | None, list[dict[str, Any]]]:
    require(principal, "person:read")
    scoped = repository.visible(principal, include_deleted=query.changed_since is not None)
    stmt = scoped
    stmt = repository.filtered(
        stmt,
        kinds=list(query.kind),
        roles=list(query.role),
        department_id=query.department_id,
        enterprise_id=query.enterprise_id,
        region=query.region,
        active=query.active,
        q=query.q,
    )
    listed = await run_list(
        session,
        settings,
        LIST_SPEC,
        stmt,
        filters=query.model_dump(exclude={"sort", "limit", "cursor", "changed_since"}, mode="json"),
        sort=query.sort,
        cursor=query.cursor,
        limit=query.limit,
        changed_since=query.changed_since,
        view=SyncView(principal, scoped),
    )
    rows, next_cursor = listed.rows, listed.next_cursor
    _audit_reveals(session, principal, rows)
    return [to_read(r, principal) for r in rows], next_cursor, listed.removed


def _emit(session: AsyncSession, event_type: str, person: Person, **extra: Any) -> None:
    # No personal data in events: subscribers fetch the person if they may see it.
    emit_event(
        session,
        event_type,
        resource_type=RESOURCE,
        resource_id=person.id,
        data={"version": person.version, "kind": person.kind, "active": person.active, **extra},
        region_code=person.region_code,
        enterprise_id=person.enterprise_id,
    )


async def create_person(
    session: AsyncSession, principal: Principal, data: PersonCreate
) -> tuple[PersonRead, bool]:
    """Returns the person and whether it was created (False: an identical repeat)."""
    require(principal, "person:write")
    payload = data.model_dump(exclude={"id"}, mode="json")
    payload["department_id"], payload["enterprise_id"] = data.department_id, data.enterprise_id
    rules.check_roles(principal, data.kind, payload["roles"])
    payload["region_code"] = await rules.unit_region(session, principal, payload)
    if data.id is not None:
        existing = await repository.get_any(session, data.id)
        if existing is not None:
            replayed = await _read(session, principal, data.id)
            ensure_same_create(_snapshot(existing), payload)
            return replayed, False
    if data.subject and await repository.live_subject_taken(session, data.subject):
        raise Conflict(*_SUBJECT_TAKEN, code="person_subject_taken")
    await rules.check_subject_binding(session, principal, data.subject)
    person = Person(id=data.id or new_id(), **payload)
    session.add(person)
    await session.flush()
    record_audit(
        session,
        principal,
        action="create",
        resource_type=RESOURCE,
        resource_id=person.id,
        changes=diff(None, payload),
        region_code=person.region_code,
    )
    _emit(session, "person.created", person)
    return await _read(session, principal, person.id), True


async def _locked(
    session: AsyncSession, principal: Principal, person_id: uuid.UUID, expected_version: int | None
) -> Person:
    person = await repository.get_for_update(session, principal, person_id)
    if person is None:
        raise _not_found()
    check_version(expected_version, person.version)
    rules.ensure_not_protected(principal, person)
    return person


async def update_person(
    session: AsyncSession,
    principal: Principal,
    person_id: uuid.UUID,
    data: PersonUpdate,
    expected_version: int | None,
) -> PersonRead:
    require(principal, "person:write")
    person = await _locked(session, principal, person_id, expected_version)
    changes_in = data.model_dump(exclude_unset=True, mode="json")
    if "department_id" in changes_in:
        changes_in["department_id"] = data.department_id
    reject_nulls(changes_in, ("name", "roles"))
    before = _snapshot(person)
    merged = {**before, **changes_in}
    kind = PersonKind(person.kind)
    if "roles" in changes_in:
        rules.check_roles(principal, kind, merged["roles"], before["roles"])
    if {"department_id", "position", "certificate_number"} & set(changes_in):
        if merged["department_id"] is not None or kind is PersonKind.enterprise_staff:
            merged["region_code"] = None  # derived again from the unit
        merged["region_code"] = await rules.unit_region(session, principal, merged)
    subject = changes_in.get("subject")
    if subject and await repository.live_subject_taken(session, subject, person.id):
        raise Conflict(*_SUBJECT_TAKEN, code="person_subject_taken")
    if subject != person.subject:
        await rules.check_subject_binding(session, principal, subject)
    for key in _FIELDS:
        if key in changes_in or key == "region_code":
            setattr(person, key, merged[key])
    changes = diff(before, _snapshot(person))
    if changes:
        await session.flush()
        record_audit(
            session,
            principal,
            action="update",
            resource_type=RESOURCE,
            resource_id=person.id,
            changes=changes,
            region_code=person.region_code,
        )
        _emit(session, "person.updated", person, changed=sorted(changes))
        if {"name", "phone"} & set(changes):  # the enterprises this person heads follow
            await main_responsible.refresh_for_person(session, principal, person.id)
    return await _read(session, principal, person.id)


async def delete_person(
    session: AsyncSession, principal: Principal, person_id: uuid.UUID, expected_version: int | None
) -> None:
    """Soft delete: a tombstone stays for delta sync and history; the subject is freed."""
    require(principal, "person:write")
    person = await _locked(session, principal, person_id, expected_version)
    person.deleted_at = utcnow()
    await session.flush()
    record_audit(
        session,
        principal,
        action="delete",
        resource_type=RESOURCE,
        resource_id=person.id,
        changes={"deleted_at": {"old": None, "new": person.deleted_at}},
        region_code=person.region_code,
    )
    _emit(session, "person.deleted", person)


async def set_active(
    session: AsyncSession,
    principal: Principal,
    person_id: uuid.UUID,
    active: bool,
    data: PersonStatusChange,
    expected_version: int | None,
) -> PersonRead:
    """deactivate / activate: a deactivated person's tokens are refused (401)."""
    require(principal, "person:write")
    person = await _locked(session, principal, person_id, expected_version)
    if person.active is active:
        state = "active" if active else "inactive"
        raise Conflict(
            f"The person is already {state}",
            "该人员已是启用状态" if active else "该人员已是停用状态",
            code=f"person_already_{state}",
        )
    person.active = active
    await session.flush()
    action = "activate" if active else "deactivate"
    record_audit(
        session,
        principal,
        action=action,
        resource_type=RESOURCE,
        resource_id=person.id,
        changes={
            **diff({"active": not active}, {"active": active}),
            "reason": {"old": None, "new": data.reason},
        },
        region_code=person.region_code,
    )
    _emit(session, f"person.{action}d", person, reason=data.reason)
    return await _read(session, principal, person.id)
