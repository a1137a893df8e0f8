"""People queries, always starting from the caller's scope.

Government people (officials, inspectors, experts) are scoped by their unit's region; enterprise
staff by their enterprise, exactly as the enterprise itself is scoped (``unit_scope``).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal, Role
from app.auth.scope import region_scope, region_subtree, unit_scope
from app.models.enterprise import Enterprise
from app.models.identity import Person

P = Person
E = Enterprise
COLUMNS: tuple[Any, ...] = (
    P.id,
    P.name,
    P.kind,
    P.position,
    P.certificate_number,
    P.department_id,
    P.enterprise_id,
    P.region_code,
    P.roles,
    P.phone,
    P.subject,
    P.active,
    P.version,
    P.created_at,
    P.updated_at,
    P.deleted_at,
    P.sync_xid,
    P.sync_seq,
)
SORTABLE = {"name": P.name, "created_at": P.created_at, "id": P.id}


def _needs_enterprise(principal: Principal) -> bool:
    return principal.role not in (Role.admin, Role.enterprise_user, Role.expert)


def scope_predicate(principal: Principal) -> ColumnElement[bool]:
    """Which people the principal may see (the enterprise is outer-joined when needed)."""
    role = principal.role
    if role is Role.admin:
        return true()
    if role is Role.enterprise_user:
        if principal.enterprise_id is None:
            return false()
        return P.enterprise_id == principal.enterprise_id
    if role is Role.expert:
        return P.id == principal.person_id if principal.person_id else false()
    staff = and_(
        P.enterprise_id.is_not(None),
        unit_scope(principal, region=E.region_code, sectors=E.sectors, enterprise_id=E.id),
    )
    government = and_(P.enterprise_id.is_(None), region_scope(principal, P.region_code))
    return or_(staff, government)


def _from(stmt: Select[Any], principal: Principal) -> Select[Any]:
    if _needs_enterprise(principal):
        stmt = stmt.select_from(P).outerjoin(E, E.id == P.enterprise_id)
    return stmt.where(scope_predicate(principal))


def visible(principal: Principal, *, include_deleted: bool = False) -> Select[Any]:
    stmt = _from(select(*COLUMNS), principal)
    return stmt if include_deleted else stmt.where(P.deleted_at.is_(None))


def filtered(
    stmt: Select[Any],
    *,
    kinds: list[str],
    roles: list[str],
    department_id: uuid.UUID | None,
    enterprise_id: uuid.UUID | None,
    region: str | None,
    active: bool | None,
    q: str | None,
) -> Select[Any]:
    if kinds:
        stmt = stmt.where(P.kind.in_(kinds))
    if roles:
        stmt = stmt.where(P.roles.overlap(array([str(r) for r in roles])))
    if department_id is not None:
        stmt = stmt.where(P.department_id == department_id)
    if enterprise_id is not None:
        stmt = stmt.where(P.enterprise_id == enterprise_id)
    if region:
        stmt = stmt.where(region_subtree(P.region_code, region))
    if active is not None:
        stmt = stmt.where(P.active.is_(active))
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(P.name.ilike(f"%{escaped}%", escape="\\"))
    return stmt


async def get_row(
    session: AsyncSession, principal: Principal, person_id: uuid.UUID
) -> dict[str, Any] | None:
    row = (await session.execute(visible(principal).where(P.id == person_id))).mappings().first()
    return dict(row) if row else None


async def get_for_update(
    session: AsyncSession, principal: Principal, person_id: uuid.UUID
) -> Person | None:
    stmt = _from(select(P), principal).where(P.id == person_id, P.deleted_at.is_(None))
    person: Person | None = (await session.execute(stmt.with_for_update(of=P))).scalar_one_or_none()
    return person


async def get_any(session: AsyncSession, person_id: uuid.UUID) -> Person | None:
    return await session.get(P, person_id)


async def live_subject_taken(
    session: AsyncSession, subject: str, except_id: uuid.UUID | None = None
) -> bool:
    stmt = select(P.id).where(P.subject == subject, P.deleted_at.is_(None))
    if except_id is not None:
        stmt = stmt.where(P.id != except_id)
    return (await session.execute(stmt)).first() is not None
