"""Which events a caller may see: each event's subject type declares the permission and the
scope of its subject, and the event feed and the webhook fan-out both use ``event_scope``.

An event (``data.resource_type`` / ``data.id``) is visible when the caller holds the subject's
read permission and

- ``LISTED`` types: the subject is in the caller's list of that resource right now (the
  repository's own ``visible(principal)`` select, tombstones included where the list shows
  them): exactly the list's rule (a public report only to its handling unit, a person as
  ``GET /people`` shows it, a webhook subscription only to its owner and administrators);
- ``UNIT`` types: the event's own unit columns (region, sectors, enterprise) pass
  ``unit_scope`` — for subjects whose list is that rule, or that have no list of their own
  (reference data and rollups: outside a region, so administrators and unscoped keys only);
- any other type: administrators only (deny by default).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, Uuid, and_, cast, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.attachments import repository as attachments
from app.auth.principal import Principal, Role
from app.auth.scope import unit_scope
from app.departments import repository as departments
from app.enterprises import repository as enterprises
from app.events import repository as events_repository
from app.hazards import repository as hazards
from app.models.attachment import Attachment
from app.models.audit import OutboxEvent
from app.models.enterprise import Enterprise
from app.models.hazard import Hazard
from app.models.identity import Person
from app.models.public_report import PublicReport
from app.models.reference import Department
from app.models.responsibility import MajorHazardSource, ResponsibilityAssignment
from app.models.visit import Campaign, InspectionVisit
from app.models.webhook import WebhookSubscription
from app.people import repository as people
from app.public_reports import repository as public_reports
from app.responsibility import repository as responsibility
from app.visits import repository as visits
from app.visits.service import campaigns

E = OutboxEvent


@dataclass(frozen=True)
class Listed:
    """The subject must be in the caller's list: ``visible(principal)`` filtered by ``id``."""

    permission: str
    id_column: Any
    visible: Callable[[Principal], Select[Any]]


@dataclass(frozen=True)
class Unit:
    """The event's own region / sectors / enterprise columns, through ``unit_scope``."""

    permission: str


# fmt: off
CHANNELS: Mapping[str, Listed | Unit] = {
    "hazard": Listed("hazard:read", Hazard.id,
                     lambda p: hazards.visible(p, include_deleted=True)),
    "inspection_visit": Listed("visit:read", InspectionVisit.id,
                               lambda p: visits.visible(p, include_deleted=True)),
    "enterprise": Listed("enterprise:read", Enterprise.id,
                         lambda p: enterprises.visible(p, include_deleted=True)),
    "department": Listed("department:read", Department.id,
                         lambda p: departments.visible(p, include_deleted=True)),
    "person": Listed("person:read", Person.id, lambda p: people.visible(p, include_deleted=True)),
    "public_report": Listed("public_report:read", PublicReport.id, public_reports.visible),
    "campaign": Listed("campaign:read", Campaign.id, campaigns.visible),
    "attachment": Listed("attachment:read", Attachment.id, attachments.visible),
    "responsibility_assignment": Listed(
        "responsibility:read", ResponsibilityAssignment.id,
        lambda p: responsibility.visible(p, include_deleted=True)),
    "major_hazard_source": Listed("responsibility:read", MajorHazardSource.id,
                                  responsibility.sources_visible),
    "webhook_subscription": Listed("event:read", WebhookSubscription.id,
                                   events_repository.visible_subscriptions),
    "enforcement_document": Unit("enforcement:read"),
    "notification": Unit("event:read"),
    "assessment": Unit("statistics:read"),
    "import_job": Unit("statistics:read"),
    "statistics_report": Unit("enterprise:read"),
    "responsibility_snapshot": Unit("responsibility:read"),
    "report_routing_rule": Unit("public_report:route_rules"),
    "checklist_template": Unit("visit:read"),
    "criteria_catalogue": Unit("criteria:read"),
    "workday_override": Unit("region:read"),
}
# fmt: on


class _JsonbSectors:
    """``unit_scope`` asks ``sectors.overlap(array)``; the outbox keeps sectors as jsonb."""

    def __init__(self, column: Any) -> None:
        self.column = column

    def overlap(self, values: Any) -> ColumnElement[bool]:
        return self.column.has_any(values)  # type: ignore[no-any-return]


def _unit(principal: Principal) -> ColumnElement[bool]:
    return unit_scope(
        principal,
        region=E.region_code,
        sectors=_JsonbSectors(E.sectors),
        enterprise_id=E.enterprise_id,
    )


def event_scope(principal: Principal) -> ColumnElement[bool]:
    """The one rule for the feed and the fan-out (see the module's docstring)."""
    if principal.role is Role.admin:
        return true()
    resource_type = E.data["resource_type"].astext
    subject_id = cast(E.data["id"].astext, Uuid)
    branches: list[ColumnElement[bool]] = []
    for name, channel in CHANNELS.items():
        if not principal.can(channel.permission):
            continue
        if isinstance(channel, Unit):
            rule = _unit(principal)
        else:
            rule = channel.visible(principal).where(channel.id_column == subject_id).exists()
        branches.append(and_(resource_type == name, rule))
    return or_(*branches) if branches else false()


async def visible_seqs(session: AsyncSession, principal: Principal, seqs: list[int]) -> set[int]:
    """Which of these outbox events ``principal`` may see (the fan-out's filter)."""
    if not seqs:
        return set()
    stmt = select(E.seq).where(E.seq.in_(seqs), event_scope(principal))
    return set((await session.execute(stmt)).scalars())
