"""Department queries, scoped to the principal's region."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, literal, or_, select
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.scope import region_scope, region_subtree
from app.models.core import SyncRemoval
from app.models.reference import Department

COLUMNS = (
    Department.id,
    Department.name,
    Department.kind,
    Department.region_code,
    Department.sectors,
    Department.phone,
    Department.version,
    Department.created_at,
    Department.updated_at,
    Department.deleted_at,
    Department.sync_xid,
    Department.sync_seq,
)
SORTABLE = {"name": Department.name, "created_at": Department.created_at, "id": Department.id}


def was_visible(principal: Principal) -> Callable[[type[SyncRemoval]], ColumnElement[bool]]:
    """The scope rule over the region a department had before it moved."""
    return lambda r: region_scope(principal, r.region_code)


def visible(principal: Principal, *, include_deleted: bool = False) -> Select[Any]:
    stmt = cast(
        "Select[Any]", select(*COLUMNS).where(region_scope(principal, Department.region_code))
    )
    if not include_deleted:
        stmt = stmt.where(Department.deleted_at.is_(None))
    return stmt


def referable(principal: Principal) -> Select[Any]:
    """Departments a write may name (``app.references``): the visible ones, plus those of the
    regions above the caller's (a town's joint inspection led by the county's department; a
    county's campaign issued by the prefecture's). Never another county's."""
    if principal.region_code is None:
        return visible(principal)
    above = literal(principal.region_code).startswith(Department.region_code)
    stmt = select(*COLUMNS).where(or_(region_scope(principal, Department.region_code), above))
    return cast("Select[Any]", stmt.where(Department.deleted_at.is_(None)))


def filtered(
    stmt: Select[Any], region: str | None, sectors: list[str], kinds: list[str]
) -> Select[Any]:
    if region:
        stmt = stmt.where(region_subtree(Department.region_code, region))
    if sectors:
        stmt = stmt.where(Department.sectors.overlap(array([str(s) for s in sectors])))
    if kinds:
        stmt = stmt.where(Department.kind.in_(kinds))
    return stmt


async def get_row(
    session: AsyncSession, principal: Principal, department_id: uuid.UUID
) -> dict[str, Any] | None:
    row = (
        (await session.execute(visible(principal).where(Department.id == department_id)))
        .mappings()
        .first()
    )
    return dict(row) if row else None


async def get_for_update(
    session: AsyncSession, principal: Principal, department_id: uuid.UUID
) -> Department | None:
    stmt = (
        select(Department)
        .where(
            Department.id == department_id,
            Department.deleted_at.is_(None),
            region_scope(principal, Department.region_code),
        )
        .with_for_update()
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_any(session: AsyncSession, department_id: uuid.UUID) -> Department | None:
    return await session.get(Department, department_id)
