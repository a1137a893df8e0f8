"""The enterprise's main responsible person (主要负责人): one truth, the responsibility chain.

The ``enterprise_main_responsible`` assignment is the truth. The enterprise record's
``main_responsible_person`` mirrors the holder current at the last change of the seat (name and
phone from the person record, with ``person_id`` and ``assignment_id``), written in the same
transaction as the assignment, hand-over or end (and when the holder's name or phone changes), so
reads, exports and delta sync see one value. Before the seat was ever filled through the chain
the record keeps the contact declared at registration (``assignment_id`` null); once it was, a
PATCH of the field is refused (409 ``main_responsible_person_from_assignment``) and an ended seat
without a successor leaves the field null (and the gap report lists the enterprise).

Documents take the holder at the document's date (``holder_on``), not the record.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import diff, record_audit
from app.auth.principal import Principal
from app.core.clock import CHINA_TZ, utcnow
from app.core.errors import Conflict
from app.enterprises import repository
from app.events.outbox import emit_event
from app.models.enterprise import Enterprise

RESOURCE = "enterprise"
FIELD = "main_responsible_person"


def _contact(holder: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": holder["name"],
        "phone": holder["phone"],
        "person_id": str(holder["person_id"]),
        "assignment_id": str(holder["assignment_id"]),
    }


async def ensure_declarable(session: AsyncSession, enterprise_id: uuid.UUID) -> None:
    """A PATCH of the field is refused once the chain holds the seat."""
    if await repository.has_main_responsible_assignment(session, enterprise_id):
        raise Conflict(
            "The main responsible person comes from the responsibility chain: appoint, hand "
            "over or end the enterprise_main_responsible assignment instead",
            "主要负责人以责任落实为准：请通过责任分工（enterprise_main_responsible）任命、交接或终止",
            code="main_responsible_person_from_assignment",
        )


async def refresh(session: AsyncSession, principal: Principal, enterprise_id: uuid.UUID) -> None:
    """Mirror the seat's current holder onto the enterprise record (audit row and
    ``enterprise.updated`` event when it changes). Runs in the caller's transaction."""
    ent = await session.get(Enterprise, enterprise_id, with_for_update=True)
    if ent is None:
        return
    holder = await repository.main_responsible_at(session, enterprise_id, utcnow())
    if holder is not None:
        value: dict[str, Any] | None = _contact(holder)
    elif await repository.has_main_responsible_assignment(session, enterprise_id):
        value = None
    else:
        return
    before = {FIELD: ent.main_responsible_person}
    if before[FIELD] == value:
        return
    ent.main_responsible_person = value
    await session.flush()
    changes = diff(before, {FIELD: value})
    record_audit(
        session,
        principal,
        action="update",
        resource_type=RESOURCE,
        resource_id=ent.id,
        changes=changes,
        region_code=ent.region_code,
    )
    emit_event(
        session,
        "enterprise.updated",
        resource_type=RESOURCE,
        resource_id=ent.id,
        data={"version": ent.version, "status": ent.status, "changed": [FIELD]},
        region_code=ent.region_code,
        sectors=list(ent.sectors),
        enterprise_id=ent.id,
    )


async def refresh_for_person(
    session: AsyncSession, principal: Principal, person_id: uuid.UUID
) -> None:
    """The holder's name or phone changed: the enterprises they head follow."""
    for enterprise_id in await repository.enterprises_headed_by(session, person_id):
        await refresh(session, principal, enterprise_id)


def document_moment(day: date) -> datetime:
    """The moment a dated document speaks for: the end of its China day, or now if earlier."""
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=CHINA_TZ)
    return min(utcnow(), end - timedelta(microseconds=1))


async def holder_on(session: AsyncSession, ent: Enterprise, day: date) -> dict[str, Any] | None:
    """Who a document dated ``day`` names as the main responsible person (``holder_at`` the
    moment that day speaks for)."""
    return await holder_at(session, ent, document_moment(day))


async def holder_at(session: AsyncSession, ent: Enterprise, at: datetime) -> dict[str, Any] | None:
    """The main responsible person at ``at``: the chain's holder then; the contact declared at
    registration if the chain never held the seat; None when the seat was vacant."""
    holder = await repository.main_responsible_at(session, ent.id, at)
    if holder is not None:
        return {"name": holder["name"], "phone": holder["phone"]}
    if await repository.has_main_responsible_assignment(session, ent.id):
        return None
    declared = ent.main_responsible_person
    if not declared:
        return None
    return {"name": declared["name"], "phone": declared.get("phone")}
