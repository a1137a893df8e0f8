"""Assignment rules: kind fit, scope on write, create / update / end / hand-over, audit, events.

Assignments are never overwritten. The database refuses two assignments of one seat with
overlapping validity (constraint trigger ``responsibility_assignment_seat_overlap``); this module
turns that refusal into 409 ``responsibility_seat_taken``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import diff, record_audit
from app.auth.principal import Principal
from app.auth.scope import require
from app.config import Settings
from app.core.clock import utcnow
from app.core.concurrency import check_version
from app.core.creation import ensure_same_create
from app.core.errors import Conflict, NotFound, reject_nulls
from app.core.ids import new_id
from app.core.listing import ListSpec, SyncView, run_list
from app.core.problems import register_constraint
from app.enterprises import main_responsible
from app.events.outbox import emit_event
from app.models.responsibility import ResponsibilityAssignment
from app.responsibility import repository, rules
from app.responsibility.chain import responsibility_chain, store_snapshot
from app.responsibility.enums import (
    ConfirmationState,
    ObjectType,
    ResponsibilityKind,
)
from app.responsibility.schemas import (
    ResponsibilityAssignmentCreate,
    ResponsibilityAssignmentFilter,
    ResponsibilityAssignmentRead,
    ResponsibilityAssignmentUpdate,
)

__all__ = ["responsibility_chain", "store_snapshot"]  # other domains find them here too

RESOURCE = "responsibility_assignment"
SEAT_CONSTRAINT = "responsibility_assignment_seat_overlap"
_SEAT_TAKEN = (
    "This seat already has a holder for an overlapping period: end the current "
    "assignment or hand it over",
    "该责任岗位在重叠期间已有责任人，请先终止或办理交接",
)
register_constraint(SEAT_CONSTRAINT, 409, "responsibility_seat_taken", *_SEAT_TAKEN)

LIST_SPEC = ListSpec(
    RESOURCE,
    repository.SORTABLE,
    "-valid_from",
    ResponsibilityAssignment.id,
    ResponsibilityAssignment.sync_xid,
    ResponsibilityAssignment.sync_seq,
)
_SNAPSHOT_FIELDS = (
    "kind",
    "holder_type",
    "holder_person_id",
    "holder_department_id",
    "object_type",
    *rules.ALL_OBJECT_FIELDS,
    "duties",
    "required_visit_days",
    "valid_from",
    "valid_to",
    "appointing_unit",
    "document_number",
    "public_display",
    "end_reason",
    "ended_by",
    "predecessor_id",
)
_UPDATABLE = (
    "duties",
    "required_visit_days",
    "appointing_unit",
    "document_number",
    "public_display",
)


def _not_found() -> NotFound:
    return NotFound(
        "Responsibility assignment not found",
        "责任分工不存在",
        code="responsibility_assignment_not_found",
    )


def confirmation_state(row: dict[str, Any]) -> ConfirmationState:
    """Where the holder's re-confirmation stands (a decline stands until a later confirm)."""
    requested, confirmed = row.get("confirmation_requested_at"), row.get("last_confirmed_at")
    declined = row.get("declined_at")
    if declined is not None and (confirmed is None or declined > confirmed):
        return ConfirmationState.declined
    if confirmed is not None and (requested is None or confirmed >= requested):
        return ConfirmationState.confirmed
    return ConfirmationState.not_requested if requested is None else ConfirmationState.requested


def to_read(row: dict[str, Any]) -> ResponsibilityAssignmentRead:
    now = utcnow()
    current = row["valid_from"] <= now and (row["valid_to"] is None or row["valid_to"] > now)
    return ResponsibilityAssignmentRead.model_validate(
        {**row, "current": current, "confirmation": confirmation_state(row)}
    )


def snapshot(a: ResponsibilityAssignment) -> dict[str, Any]:
    return {f: getattr(a, f) for f in _SNAPSHOT_FIELDS}


async def flush_checked(session: AsyncSession) -> None:
    """Flush in a savepoint so a seat conflict becomes a clean 409."""
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        cause = getattr(exc.orig, "__cause__", None)
        name = getattr(cause, "constraint_name", None) or getattr(exc.orig, "constraint_name", None)
        if name == SEAT_CONSTRAINT:
            raise Conflict(*_SEAT_TAKEN, code="responsibility_seat_taken") from exc
        raise


async def get_assignment(
    session: AsyncSession, principal: Principal, assignment_id: uuid.UUID
) -> ResponsibilityAssignmentRead:
    require(principal, "responsibility:read")
    row = await repository.get_row(session, principal, assignment_id)
    if row is None:
        raise _not_found()
    return to_read(row)


async def list_assignments(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    query: ResponsibilityAssignmentFilter,
) -> tuple[list[ResponsibilityAssignmentRead], str | None, list[dict[str, Any]]]:
    require(principal, "responsibility:read")
    scoped = repository.visible(principal, include_deleted=query.changed_since is not None)
    stmt = scoped
    stmt = repository.filtered(
        stmt,
        kinds=list(query.kind),
        object_types=list(query.object_type),
        holder_person_id=query.holder_person_id,
        holder_department_id=query.holder_department_id,
        enterprise_id=query.enterprise_id,
        hazard_id=query.object_hazard_id,
        source_id=query.object_major_hazard_source_id,
        region=query.region,
        at=query.at,
        public_display=query.public_display,
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
        view=SyncView(principal, scoped),
    )
    rows, next_cursor = listed.rows, listed.next_cursor
    return [to_read(r) for r in rows], next_cursor, listed.removed


def emit(session: AsyncSession, event_type: str, a: ResponsibilityAssignment, **extra: Any) -> None:
    emit_event(
        session,
        event_type,
        resource_type=RESOURCE,
        resource_id=a.id,
        data={
            "version": a.version,
            "kind": a.kind,
            "valid_from": a.valid_from,
            "valid_to": a.valid_to,
            **extra,
        },
        region_code=a.region_code,
        sectors=list(a.sectors),
        enterprise_id=a.enterprise_id,
    )


async def insert(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    assignment_id: uuid.UUID,
    kind: ResponsibilityKind,
    object_type: ObjectType,
    fields: dict[str, Any],
    valid_from: datetime,
    **extra: Any,
) -> ResponsibilityAssignment:
    scope = await rules.resolve_object(session, principal, object_type, fields)
    holder = await rules.resolve_holder(session, kind, object_type, fields, scope)
    visit_days = extra.pop("required_visit_days", None) or (
        settings.responsibility_default_visit_days.get(kind.value)
    )
    a = ResponsibilityAssignment(
        id=assignment_id,
        kind=kind.value,
        object_type=object_type.value,
        **{f: fields.get(f) for f in rules.ALL_OBJECT_FIELDS},
        **holder,
        **scope,
        valid_from=valid_from,
        required_visit_days=visit_days,
        created_by=principal.actor_label,
        **extra,
    )
    session.add(a)
    await flush_checked(session)
    record_audit(
        session,
        principal,
        action="create",
        resource_type=RESOURCE,
        resource_id=a.id,
        changes=diff(None, snapshot(a)),
        region_code=a.region_code,
    )
    emit(session, "responsibility_assignment.created", a, predecessor_id=a.predecessor_id)
    await mirror_main_responsible(session, principal, a)
    return a


async def mirror_main_responsible(
    session: AsyncSession, principal: Principal, a: ResponsibilityAssignment
) -> None:
    """The enterprise record mirrors its main-responsible seat (enterprises.main_responsible)."""
    if a.kind == ResponsibilityKind.enterprise_main_responsible and a.object_enterprise_id:
        await main_responsible.refresh(session, principal, a.object_enterprise_id)


async def create_assignment(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    data: ResponsibilityAssignmentCreate,
) -> tuple[ResponsibilityAssignmentRead, bool]:
    require(principal, "responsibility:write")
    fields = data.model_dump(exclude={"id"})
    if data.id is not None:
        existing = await repository.get_any(session, data.id)
        if existing is not None:
            replayed = await get_assignment(session, principal, data.id)
            ensure_same_create(
                snapshot(existing), data.model_dump(exclude={"id"}, exclude_unset=True)
            )
            return replayed, False
    valid_from = data.valid_from or utcnow()
    if data.valid_to is not None and data.valid_to <= valid_from:
        raise rules.unfit(
            "valid_to",
            "valid_to must be after valid_from",
            "结束时间须晚于开始时间",
            "responsibility_period",
        )
    a = await insert(
        session,
        settings,
        principal,
        data.id or new_id(),
        data.kind,
        data.object_type,
        fields,
        valid_from,
        valid_to=data.valid_to,
        duties=data.duties,
        required_visit_days=data.required_visit_days,
        appointing_unit=data.appointing_unit,
        document_number=data.document_number,
        public_display=data.public_display,
    )
    return await get_assignment(session, principal, a.id), True


async def locked(
    session: AsyncSession,
    principal: Principal,
    assignment_id: uuid.UUID,
    expected_version: int | None,
) -> ResponsibilityAssignment:
    require(principal, "responsibility:write")
    a = await repository.get_for_update(session, principal, assignment_id)
    if a is None:
        raise _not_found()
    check_version(expected_version, a.version)
    return a


async def update_assignment(
    session: AsyncSession,
    principal: Principal,
    assignment_id: uuid.UUID,
    data: ResponsibilityAssignmentUpdate,
    expected_version: int | None,
) -> ResponsibilityAssignmentRead:
    a = await locked(session, principal, assignment_id, expected_version)
    before = {f: getattr(a, f) for f in _UPDATABLE}
    changes_in = data.model_dump(exclude_unset=True)
    reject_nulls(changes_in, ("public_display",))
    for key, value in changes_in.items():
        setattr(a, key, value)
    changes = diff(before, {f: getattr(a, f) for f in _UPDATABLE})
    if changes:
        await flush_checked(session)
        record_audit(
            session,
            principal,
            action="update",
            resource_type=RESOURCE,
            resource_id=a.id,
            changes=changes,
            region_code=a.region_code,
        )
        emit(session, "responsibility_assignment.updated", a, changed=sorted(changes))
    return await get_assignment(session, principal, a.id)
