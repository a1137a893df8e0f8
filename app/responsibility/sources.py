"""Major hazard sources (重大危险源): the objects of the three hazchem roles."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import diff, record_audit
from app.auth.principal import Principal
from app.auth.scope import ensure_unit_writable, require
from app.config import Settings
from app.core.creation import ensure_same_create
from app.core.errors import NotFound, Unprocessable
from app.core.ids import new_id
from app.core.listing import ListSpec, run_list
from app.events.outbox import emit_event
from app.models.responsibility import MajorHazardSource
from app.responsibility import repository
from app.responsibility.schemas import (
    MajorHazardSourceCreate,
    MajorHazardSourceFilter,
    MajorHazardSourceRead,
)

RESOURCE = "major_hazard_source"
_FIELDS = ("enterprise_id", "name", "grade", "record_number")
MHS = MajorHazardSource
LIST_SPEC = ListSpec(RESOURCE, {"name": MHS.name, "id": MHS.id}, "name", MHS.id)


def _not_found() -> NotFound:
    return NotFound(
        "Major hazard source not found", "重大危险源不存在", code="major_hazard_source_not_found"
    )


async def get_source(
    session: AsyncSession, principal: Principal, source_id: uuid.UUID
) -> MajorHazardSourceRead:
    require(principal, "responsibility:read")
    stmt = repository.sources_visible(principal).where(MHS.id == source_id)
    row = (await session.execute(stmt)).mappings().first()
    if row is None:
        raise _not_found()
    return MajorHazardSourceRead.model_validate(dict(row))


async def list_sources(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    query: MajorHazardSourceFilter,
) -> tuple[list[MajorHazardSourceRead], str | None]:
    require(principal, "responsibility:read")
    stmt = repository.sources_visible(principal)
    if query.enterprise_id:
        stmt = stmt.where(MHS.enterprise_id == query.enterprise_id)
    listed = await run_list(
        session,
        settings,
        LIST_SPEC,
        stmt,
        filters={"enterprise_id": query.enterprise_id},
        sort=None,
        cursor=query.cursor,
        limit=query.limit,
    )
    rows, next_cursor = listed.rows, listed.next_cursor
    return [MajorHazardSourceRead.model_validate(r) for r in rows], next_cursor


async def create_source(
    session: AsyncSession, principal: Principal, data: MajorHazardSourceCreate
) -> tuple[MajorHazardSourceRead, bool]:
    require(principal, "responsibility:write")
    payload: dict[str, Any] = data.model_dump(exclude={"id"})
    if data.id is not None:
        existing = await session.get(MHS, data.id)
        if existing is not None:
            replayed = await get_source(session, principal, data.id)
            ensure_same_create({f: getattr(existing, f) for f in _FIELDS}, payload)
            return replayed, False
    ent = await repository.enterprise(session, data.enterprise_id)
    if ent is None:
        raise Unprocessable.field(
            ["body", "enterprise_id"],
            "Unknown enterprise",
            "reference_not_found",
            "单位不存在",
            code="enterprise_unknown",
        )
    ensure_unit_writable(
        principal,
        region_code=ent.region_code,
        sectors=list(ent.sectors),
        enterprise_id=ent.id,
        what="Enterprise",
        what_zh="该单位",
    )
    src = MHS(id=data.id or new_id(), created_by=principal.actor_label, **payload)
    session.add(src)
    await session.flush()
    record_audit(
        session,
        principal,
        action="create",
        resource_type=RESOURCE,
        resource_id=src.id,
        changes=diff(None, payload),
        region_code=ent.region_code,
    )
    emit_event(
        session,
        "major_hazard_source.created",
        resource_type=RESOURCE,
        resource_id=src.id,
        data={"version": src.version, "grade": src.grade},
        region_code=ent.region_code,
        sectors=list(ent.sectors),
        enterprise_id=ent.id,
    )
    return await get_source(session, principal, src.id), True
