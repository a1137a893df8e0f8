"""What a person answers for at a moment, with their open hazards and visits due."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.scope import require
from app.core.clock import utcnow
from app.core.errors import NotFound
from app.models.enterprise import Enterprise
from app.models.hazard import TERMINAL_STATUSES, Hazard
from app.models.identity import Person
from app.people import repository as people_repository
from app.responsibility import repository
from app.responsibility.chain import hazard_overdue
from app.responsibility.enums import ResponsibilityKind
from app.responsibility.gaps import last_visit_at
from app.responsibility.schemas import (
    OpenHazard,
    PersonRef,
    PersonResponsibilities,
    VisitDue,
)
from app.responsibility.service import to_read

A = repository.A
# Kinds whose holder answers for every open hazard of the object's enterprise.
_ENTERPRISE_WIDE = {
    ResponsibilityKind.enterprise_main_responsible.value,
    ResponsibilityKind.enterprise_safety_manager.value,
    ResponsibilityKind.leader_liaison.value,
}


async def _person(
    session: AsyncSession, principal: Principal, person_id: uuid.UUID
) -> dict[str, Any]:
    """The person exactly as ``GET /people/{person_id}`` sees it (same permission, same scope):
    404 here whenever it is 404 there."""
    require(principal, "person:read")
    stmt = people_repository.visible(principal).where(Person.id == person_id)
    row = (await session.execute(stmt)).mappings().first()
    if row is None:
        raise NotFound("Person not found", "人员不存在", code="person_not_found")
    return {"id": row["id"], "name": row["name"], "kind": row["kind"]}


async def person_responsibilities(
    session: AsyncSession, principal: Principal, person_id: uuid.UUID, at: datetime | None
) -> PersonResponsibilities:
    require(principal, "responsibility:read")
    at = at or utcnow()
    person = await _person(session, principal, person_id)
    stmt = (
        repository.visible(principal)
        .where(A.holder_person_id == person_id, repository.valid_at(at))
        .order_by(A.valid_from, A.id)
    )
    rows = [dict(r) for r in (await session.execute(stmt)).mappings()]

    via_hazard: dict[uuid.UUID, set[str]] = {}
    via_enterprise: dict[uuid.UUID, set[str]] = {}
    for r in rows:
        if r["object_hazard_id"]:
            via_hazard.setdefault(r["object_hazard_id"], set()).add(r["kind"])
        elif r["enterprise_id"] and (
            r["kind"] in _ENTERPRISE_WIDE or r["object_major_hazard_source_id"]
        ):
            via_enterprise.setdefault(r["enterprise_id"], set()).add(r["kind"])
    open_hazards: list[OpenHazard] = []
    if via_hazard or via_enterprise:
        hstmt = (
            select(Hazard)
            .where(
                or_(
                    Hazard.id.in_(list(via_hazard)), Hazard.enterprise_id.in_(list(via_enterprise))
                ),
                Hazard.status.not_in(TERMINAL_STATUSES),
                repository.hazard_scope(principal),
            )
            .order_by(Hazard.deadline.nulls_last(), Hazard.id)
            .limit(200)
        )
        for hz in (await session.execute(hstmt)).scalars():
            via = via_hazard.get(hz.id, set()) | via_enterprise.get(hz.enterprise_id, set())
            open_hazards.append(
                OpenHazard(
                    id=hz.id,
                    code=hz.code,
                    title=hz.title,
                    level=hz.level,
                    status=hz.status,
                    deadline=hz.deadline,
                    overdue=hazard_overdue(hz, utcnow()),
                    enterprise_id=hz.enterprise_id,
                    via=sorted(via),
                )
            )

    visits_due: list[VisitDue] = []
    for r in rows:
        if not r["required_visit_days"] or not r["enterprise_id"]:
            continue
        last = (
            await session.execute(
                select(
                    last_visit_at(literal(person_id), literal(r["enterprise_id"]), at),
                    select(Enterprise.name)
                    .where(Enterprise.id == r["enterprise_id"])
                    .scalar_subquery(),
                )
            )
        ).one()
        due_at = (last[0] or r["valid_from"]) + timedelta(days=r["required_visit_days"])
        visits_due.append(
            VisitDue(
                assignment_id=r["id"],
                kind=r["kind"],
                enterprise_id=r["enterprise_id"],
                enterprise_name=last[1],
                required_visit_days=r["required_visit_days"],
                last_visit_at=last[0],
                due_at=due_at,
                overdue=due_at < at,
            )
        )
    visits_due.sort(key=lambda v: v.due_at)
    return PersonResponsibilities(
        at=at,
        person=PersonRef(**person),
        assignments=[to_read(r) for r in rows],
        open_hazards=open_hazards,
        visits_due=visits_due,
    )
