"""Every id a request body names is resolved through the caller's scope, in one place.

``FIELDS`` says, for every ``*_id`` / ``*_ids`` field that any write's body may carry (at any
depth: ``members[].person_id`` too), which kind of row it names. A kind's resolver is the
*list rule* of that resource: the permission its ``GET`` needs and the repository's
``visible(principal)`` select. ``check_request`` runs for every authenticated ``POST``, ``PUT``
and ``PATCH`` (``app.auth.dependencies.current_principal`` calls it, so a new route gets it for
free), before the service: an id the caller cannot see — out of scope, deleted, or simply
nonexistent — is one ``422 reference_not_found`` whose ``errors`` name each field
(``loc: ["body", "members", 0, "person_id"]``), the same answer whether or not the row exists.

``ROUTE_FIELDS`` overrides a field on one route where its meaning differs. A field that is not
a reference to check through the caller's scope says why (``Ref(kind, None, why=…)``).
``tests/auth/test_references.py`` walks the OpenAPI request bodies of every write and fails for
any ``*_id`` / ``*_ids`` field missing from these tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.attachments import repository as attachments
from app.auth.principal import Principal
from app.departments import repository as departments
from app.enterprises import repository as enterprises
from app.hazards import repository as hazards
from app.models.attachment import Attachment
from app.models.enterprise import Enterprise
from app.models.hazard import Hazard, HazardEvent
from app.models.identity import Person
from app.models.public_report import PublicReport
from app.models.reference import CriteriaClause, Department
from app.models.responsibility import MajorHazardSource
from app.models.visit import Campaign, ChecklistTemplate, InspectionVisit, VisitMember
from app.people import repository as people
from app.public_reports import repository as public_reports
from app.responsibility import repository as responsibility
from app.visits import repository as visits
from app.visits.service import campaigns

Resolver = Callable[[AsyncSession, Principal, list[uuid.UUID]], Awaitable[set[uuid.UUID]]]
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _visible_ids(
    permission: str, column: Any, visible: Callable[[Principal], Select[Any]]
) -> Resolver:
    """The ids among ``ids`` that the caller's list of this resource shows."""

    async def resolve(
        session: AsyncSession, principal: Principal, ids: list[uuid.UUID]
    ) -> set[uuid.UUID]:
        if not principal.can(permission):
            return set()
        rows = visible(principal).where(column.in_(ids)).subquery()
        stmt = select(rows.c.id)
        return set((await session.execute(stmt)).scalars())

    return resolve


def _existing_ids(permission: str, column: Any) -> Resolver:
    """Reference data every holder of ``permission`` sees whole (criteria, templates)."""

    async def resolve(
        session: AsyncSession, principal: Principal, ids: list[uuid.UUID]
    ) -> set[uuid.UUID]:
        if not principal.can(permission):
            return set()
        return set((await session.execute(select(column).where(column.in_(ids)))).scalars())

    return resolve


def _members(principal: Principal) -> Select[Any]:
    seen = visits.visible(principal).subquery()
    return select(VisitMember.id).join(seen, seen.c.id == VisitMember.visit_id)


def _hazard_events(principal: Principal) -> Select[Any]:
    seen = hazards.visible(principal).subquery()
    return select(HazardEvent.id).join(seen, seen.c.id == HazardEvent.hazard_id)


@dataclass(frozen=True)
class Ref:
    kind: str
    resolve: Resolver | None  # None: not checked here, for the reason in ``why``
    why: str = ""


_HAZARD = Ref("hazard", _visible_ids("hazard:read", Hazard.id, hazards.visible))
_VISIT = Ref("inspection_visit", _visible_ids("visit:read", InspectionVisit.id, visits.visible))
_ENTERPRISE = Ref("enterprise", _visible_ids("enterprise:read", Enterprise.id, enterprises.visible))
_DEPARTMENT = Ref(
    "department", _visible_ids("department:read", Department.id, departments.referable)
)
_PERSON = Ref("person", _visible_ids("person:read", Person.id, people.visible))
_ATTACHMENT = Ref("attachment", _visible_ids("attachment:read", Attachment.id, attachments.visible))

FIELDS: Mapping[str, Ref] = {
    "attachment_id": _ATTACHMENT,
    "attachment_ids": _ATTACHMENT,
    "photo_ids": _ATTACHMENT,
    "campaign_id": Ref("campaign", _visible_ids("campaign:read", Campaign.id, campaigns.visible)),
    "checklist_template_id": Ref(
        "checklist_template", _existing_ids("visit:read", ChecklistTemplate.id)
    ),
    "criteria_clause_ids": Ref(
        "criteria_clause", _existing_ids("criteria:read", CriteriaClause.id)
    ),
    "department_id": _DEPARTMENT,
    "holder_department_id": _DEPARTMENT,
    "issuer_department_id": _DEPARTMENT,
    "lead_department_id": _DEPARTMENT,
    "participating_department_ids": _DEPARTMENT,
    "enterprise_id": _ENTERPRISE,
    "object_enterprise_id": _ENTERPRISE,
    "expert_ids": _PERSON,
    "found_by_person_id": _PERSON,
    "holder_person_id": _PERSON,
    "person_id": _PERSON,
    "hazard_id": _HAZARD,
    "hazard_ids": _HAZARD,
    "link_hazard_ids": _HAZARD,
    "object_hazard_id": _HAZARD,
    "relapse_of_id": _HAZARD,
    "hazard_event_id": Ref(
        "hazard_event", _visible_ids("hazard:read", HazardEvent.id, _hazard_events)
    ),
    "member_id": Ref("visit_member", _visible_ids("visit:read", VisitMember.id, _members)),
    "object_major_hazard_source_id": Ref(
        "major_hazard_source",
        _visible_ids("responsibility:read", MajorHazardSource.id, responsibility.sources_visible),
    ),
    "report_id": Ref(
        "public_report", _visible_ids("public_report:read", PublicReport.id, public_reports.visible)
    ),
    "visit_id": _VISIT,
}

# (method, route path below /api/v1, field) → what the field means on that route, where it
# differs.
ROUTE_FIELDS: Mapping[tuple[str, str, str], Ref] = {
    ("POST", "/public-reports/{report_id}/transfer", "department_id"): Ref(
        "department",
        None,
        why="a transfer hands the report to a unit outside the caller's remit (any live "
        "department; the service checks that it exists)",
    ),
    ("POST", "/public-reports", "enterprise_id"): Ref(
        "enterprise", None, why="anonymous intake: no caller scope; the service checks it exists"
    ),
    ("POST", "/public-reports", "photo_ids"): Ref(
        "public_report_photo",
        None,
        why="anonymous intake: photos uploaded by the same reporter, checked by the service",
    ),
}


def field_ref(method: str, path: str, field: str) -> Ref | None:
    """``path``: the route's template, with or without the ``/api/v1`` prefix."""
    path = path.removeprefix("/api/v1")
    return ROUTE_FIELDS.get((method, path, field)) or FIELDS.get(field)


def _as_uuid(value: Any) -> uuid.UUID | None:
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            return None
    return None


def references_in(
    body: Any, loc: tuple[str | int, ...] = ("body",)
) -> Iterator[tuple[tuple[str | int, ...], str, uuid.UUID]]:
    """Every (location, field, id) of a ``*_id`` / ``*_ids`` field, at any depth. Values that
    are not UUIDs are left to the body's validation."""
    if isinstance(body, Mapping):
        for key, value in body.items():
            here = (*loc, key)
            if isinstance(key, str) and key.endswith("_id"):
                ref = _as_uuid(value)
                if ref is not None:
                    yield here, key, ref
            elif isinstance(key, str) and key.endswith("_ids") and isinstance(value, list):
                for index, item in enumerate(value):
                    ref = _as_uuid(item)
                    if ref is not None:
                        yield (*here, index), key, ref
            else:
                yield from references_in(value, here)
    elif isinstance(body, list):
        for index, item in enumerate(body):
            yield from references_in(item, (*loc, index))


async def unseen_references(
    session: AsyncSession, principal: Principal, method: str, path: str, body: Any
) -> list[dict[str, Any]]:
    """The problem ``errors`` of every id in ``body`` the caller cannot see (empty: all seen)."""
    wanted: dict[Resolver, list[tuple[tuple[str | int, ...], str, uuid.UUID]]] = {}
    for loc, field, ref_id in references_in(body):
        ref = field_ref(method, path, field)
        if ref is not None and ref.resolve is not None:
            wanted.setdefault(ref.resolve, []).append((loc, field, ref_id))
    errors: list[dict[str, Any]] = []
    for resolve, refs in wanted.items():
        seen = await resolve(session, principal, sorted({r[2] for r in refs}))
        errors.extend(
            {
                "loc": list(loc),
                "msg": f"{field}: no such record in your scope",
                "type": "reference_not_found",
            }
            for loc, field, ref_id in refs
            if ref_id not in seen
        )
    return errors
