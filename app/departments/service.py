"""Department rules: create, update, soft delete; audit and events for every write."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import diff, record_audit
from app.auth.principal import Principal
from app.auth.scope import require
from app.config import Settings
from app.core.clock import utcnow
from app.core.concurrency import check_version
from app.core.creation import ensure_same_create
from app.core.errors import NotFound, reject_nulls
from app.core.ids import new_id
from app.core.listing import ListSpec, SyncView, run_list
from app.departments import repository
from app.departments.schemas import (
    DepartmentCreate,
    DepartmentFilter,
    DepartmentPage,
    DepartmentRead,
    DepartmentUpdate,
)
from app.events.outbox import emit_event
from app.models.reference import Department
from app.reference.service import ensure_region

RESOURCE = "department"
_FIELDS = ("name", "kind", "region_code", "sectors", "phone")
LIST_SPEC = ListSpec(
    RESOURCE, repository.SORTABLE, "name", Department.id, Department.sync_xid, Department.sync_seq
)


def _not_found() -> NotFound:
    return NotFound("Department not found", "部门不存在", code="department_not_found")


def _snapshot(dept: Department) -> dict[str, Any]:
    return {f: getattr(dept, f) for f in _FIELDS}


async def get_department(
    session: AsyncSession, principal: Principal, department_id: uuid.UUID
) -> DepartmentRead:
    require(principal, "department:read")
    row = await repository.get_row(session, principal, department_id)
    if row is None:
        raise _not_found()
    return DepartmentRead.model_validate(row)


async def list_departments(
    session: AsyncSession, settings: Settings, principal: Principal, query: DepartmentFilter
) -> DepartmentPage:
    require(principal, "department:read")
    scoped = repository.visible(principal, include_deleted=query.changed_since is not None)
    stmt = repository.filtered(scoped, query.region, list(query.sector), list(query.kind))
    listed = await run_list(
        session,
        settings,
        LIST_SPEC,
        stmt,
        filters=query.model_dump(include={"region", "sector", "kind"}),
        sort=query.sort,
        cursor=query.cursor,
        limit=query.limit,
        changed_since=query.changed_since,
        view=SyncView(principal, scoped, repository.was_visible(principal)),
    )
    items = [DepartmentRead.model_validate(r) for r in listed.rows]
    return DepartmentPage(items=items, next_cursor=listed.next_cursor, removed=listed.removed)


async def create_department(
    session: AsyncSession, principal: Principal, data: DepartmentCreate
) -> tuple[DepartmentRead, bool]:
    """Returns the department and whether it was created (False: an identical repeat)."""
    require(principal, "department:write")
    if principal.region_code and not data.region_code.startswith(principal.region_code):
        raise NotFound("Region not in your scope", "该区划不在您的管辖范围内", code="out_of_scope")
    payload = data.model_dump(exclude={"id"})
    if data.id is not None:
        existing = await repository.get_any(session, data.id)
        if existing is not None:
            replayed = await get_department(session, principal, data.id)
            ensure_same_create(_snapshot(existing), payload)
            return replayed, False
    await ensure_region(session, data.region_code, ["body", "region_code"], min_level=3)
    dept = Department(id=data.id or new_id(), **payload)
    session.add(dept)
    await session.flush()
    record_audit(
        session,
        principal,
        action="create",
        resource_type=RESOURCE,
        resource_id=dept.id,
        changes=diff(None, payload),
        region_code=dept.region_code,
    )
    emit_event(
        session,
        "department.created",
        resource_type=RESOURCE,
        resource_id=dept.id,
        data={"version": dept.version},
        region_code=dept.region_code,
    )
    return await get_department(session, principal, dept.id), True


async def update_department(
    session: AsyncSession,
    principal: Principal,
    department_id: uuid.UUID,
    data: DepartmentUpdate,
    expected_version: int | None,
) -> DepartmentRead:
    require(principal, "department:write")
    dept = await repository.get_for_update(session, principal, department_id)
    if dept is None:
        raise _not_found()
    check_version(expected_version, dept.version)
    before = _snapshot(dept)
    changes_in = data.model_dump(exclude_unset=True)
    reject_nulls(changes_in, ("name", "kind", "sectors"))
    for key, value in changes_in.items():
        setattr(dept, key, value)
    changes = diff(before, _snapshot(dept))
    if changes:
        await session.flush()
        record_audit(
            session,
            principal,
            action="update",
            resource_type=RESOURCE,
            resource_id=dept.id,
            changes=changes,
            region_code=dept.region_code,
        )
        emit_event(
            session,
            "department.updated",
            resource_type=RESOURCE,
            resource_id=dept.id,
            data={"version": dept.version, "changed": sorted(changes)},
            region_code=dept.region_code,
        )
    return await get_department(session, principal, dept.id)


async def delete_department(
    session: AsyncSession,
    principal: Principal,
    department_id: uuid.UUID,
    expected_version: int | None,
) -> None:
    require(principal, "department:write")
    dept = await repository.get_for_update(session, principal, department_id)
    if dept is None:
        raise _not_found()
    check_version(expected_version, dept.version)
    dept.deleted_at = utcnow()
    await session.flush()
    record_audit(
        session,
        principal,
        action="delete",
        resource_type=RESOURCE,
        resource_id=dept.id,
        changes={"deleted_at": {"old": None, "new": dept.deleted_at}},
        region_code=dept.region_code,
    )
    emit_event(
        session,
        "department.deleted",
        resource_type=RESOURCE,
        resource_id=dept.id,
        data={"version": dept.version},
        region_code=dept.region_code,
    )
