"""Shared visit helpers: errors, reading a visit, permission to conduct, audit + event."""

from __future__ import annotations

import math
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.attachments import repository as attachments
from app.audit.recorder import record_audit
from app.auth.principal import Principal, Role
from app.auth.scope import require
from app.core.concurrency import check_version
from app.core.enums import zh_label, zh_labels
from app.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from app.events.outbox import emit_event
from app.models.visit import InspectionVisit
from app.visits import repository
from app.visits.enums import VisitStatus, VisitType
from app.visits.schemas import VisitRead

RESOURCE = "inspection_visit"


def not_found() -> NotFound:
    return NotFound("Inspection visit not found", "检查记录不存在", code="visit_not_found")


def point(lat: float | None, lon: float | None) -> dict[str, float] | None:
    return {"lat": lat, "lon": lon} if lat is not None and lon is not None else None


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(a))


def to_read(
    row: dict[str, Any], members: list[dict[str, Any]], hazards: list[dict[str, Any]]
) -> VisitRead:
    data = dict(row)
    data["checkin_location"] = point(data.pop("checkin_lat"), data.pop("checkin_lon"))
    data["checkout_location"] = point(data.pop("checkout_lat"), data.pop("checkout_lon"))
    data["members"] = members
    data["hazards"] = hazards
    return VisitRead.model_validate(data)


async def read_many(session: AsyncSession, rows: list[dict[str, Any]]) -> list[VisitRead]:
    ids = [r["id"] for r in rows]
    members = await repository.members_of(session, ids)
    hazards = await repository.hazards_of(session, ids)
    return [to_read(r, members[r["id"]], hazards[r["id"]]) for r in rows]


async def get_visit(session: AsyncSession, principal: Principal, visit_id: uuid.UUID) -> VisitRead:
    require(principal, "visit:read")
    row = await repository.get_row(session, principal, visit_id)
    if row is None:
        raise not_found()
    return (await read_many(session, [row]))[0]


def ensure_may_conduct(principal: Principal, visit_type: str) -> None:
    """Enterprise users run only self-inspections; government users every other type."""
    if principal.role is Role.enterprise_user:
        require(principal, "visit:self_inspect")
        if visit_type != VisitType.self_inspection:
            raise Forbidden(
                "Enterprise users may only conduct self-inspections",
                "企业用户只能开展企业自查",
                code="visit_type_not_allowed",
            )
        return
    require(principal, "visit:write")


async def locked(
    session: AsyncSession,
    principal: Principal,
    visit_id: uuid.UUID,
    expected_version: int | None,
    *,
    conduct: bool = True,
) -> InspectionVisit:
    visit = await repository.get_for_update(session, principal, visit_id)
    if visit is None:
        raise not_found()
    if conduct:
        ensure_may_conduct(principal, visit.type)
    check_version(expected_version, visit.version)
    return visit


def ensure_status(visit: InspectionVisit, *allowed: VisitStatus, rule: str) -> None:
    if VisitStatus(visit.status) not in allowed:
        wanted = " or ".join(s.value for s in allowed)
        raise Conflict(
            f"The visit is {visit.status}; this needs it {wanted}",
            f"检查当前状态为{zh_label('visit_status', visit.status)}，该操作须在"
            f"{zh_labels('visit_status', [s.value for s in allowed])}状态下进行",
            code=rule,
        )


def write(
    session: AsyncSession,
    principal: Principal,
    visit: InspectionVisit,
    action: str,
    changes: dict[str, Any],
    event: str,
    **extra: Any,
) -> None:
    """One audit row and one outbox event for a write on a visit (or something it owns)."""
    record_audit(
        session,
        principal,
        action=action,
        resource_type=RESOURCE,
        resource_id=visit.id,
        changes=changes,
        region_code=visit.region_code,
    )
    emit_event(
        session,
        f"inspection_visit.{event}",
        resource_type=RESOURCE,
        resource_id=visit.id,
        data={"version": visit.version, "status": visit.status, "type": visit.type, **extra},
        region_code=visit.region_code,
        sectors=list(visit.sectors),
        enterprise_id=None if hidden_from_enterprise(visit) else visit.enterprise_id,
    )


def hidden_from_enterprise(visit: InspectionVisit) -> bool:
    """An unannounced visit (四不两直) is not shown to the unit before it starts; its events
    are therefore not addressed to the enterprise either."""
    return visit.type == VisitType.unannounced and visit.started_at is None


async def ensure_visit_attachments(
    session: AsyncSession, visit_id: uuid.UUID, ids: list[uuid.UUID], field: str
) -> None:
    """Photos and signature images named by a visit step must be files uploaded to this visit
    (`POST /attachments` with `visit_id`): 422 naming the ones that are not."""
    found = await attachments.visit_attachment_ids(session, visit_id, ids)
    missing = [i for i in ids if i not in found]
    if missing:
        raise Unprocessable.field(
            ["body", field],
            f"Not attachments of this visit: {', '.join(map(str, missing))}",
            "attachment_not_of_visit",
            "不是本次检查上传的附件",
            code="attachment_not_of_visit",
        )
