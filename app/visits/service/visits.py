"""Visit planning and lifecycle: planned → in_progress → completed | cancelled."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import diff
from app.auth.principal import Principal, Role
from app.auth.scope import require
from app.config import Settings
from app.core.clock import utcnow
from app.core.creation import ensure_same_create
from app.core.errors import Conflict, NotFound, Unprocessable, reject_nulls
from app.core.ids import new_id
from app.core.listing import ListSpec, SyncView, run_list
from app.models.visit import InspectionVisit, OnsiteRecord, VisitHazard, VisitMember
from app.visits import repository
from app.visits.enums import HAZARD_TYPES, RECORD_TYPES, MemberRole, VisitStatus, VisitType
from app.visits.schemas import (
    Cancel,
    CheckIn,
    Complete,
    MemberIn,
    VisitCreate,
    VisitFilter,
    VisitRead,
    VisitUpdate,
)
from app.visits.service.common import (
    distance_m,
    ensure_may_conduct,
    ensure_status,
    get_visit,
    locked,
    read_many,
    write,
)
from app.visits.service.rules import check_hazards, check_members, check_shape

LIST_SPEC = ListSpec(
    "inspection_visit",
    repository.SORTABLE,
    "-planned_on",
    InspectionVisit.id,
    InspectionVisit.sync_xid,
    InspectionVisit.sync_seq,
)
_FIELDS = (
    "type",
    "enterprise_id",
    "lead_department_id",
    "participating_department_ids",
    "leading_official",
    "campaign_id",
    "checklist_template_id",
    "planned_on",
    "purpose",
)


def _snapshot(visit: InspectionVisit) -> dict[str, Any]:
    return {f: getattr(visit, f) for f in _FIELDS}


def _members_snapshot(members: list[MemberIn]) -> list[dict[str, Any]]:
    return [m.model_dump(mode="json") for m in members]


async def list_visits(
    session: AsyncSession, settings: Settings, principal: Principal, query: VisitFilter
) -> tuple[list[VisitRead], str | None, list[dict[str, Any]]]:
    require(principal, "visit:read")
    scoped = repository.visible(principal, include_deleted=query.changed_since is not None)
    stmt = scoped
    stmt = repository.filtered(
        stmt,
        types=list(query.type),
        statuses=list(query.status),
        enterprise_id=query.enterprise_id,
        campaign_id=query.campaign_id,
        region=query.region,
        planned_from=query.planned_from,
        planned_to=query.planned_to,
    )
    listed = await run_list(
        session,
        settings,
        LIST_SPEC,
        stmt,
        filters=query.model_dump(exclude={"sort", "limit", "cursor", "changed_since"}, mode="json"),
        sort=query.sort,
        cursor=query.cursor,
        limit=query.limit,
        changed_since=query.changed_since,
        view=SyncView(principal, scoped),
    )
    rows, next_cursor = listed.rows, listed.next_cursor
    return await read_many(session, rows), next_cursor, listed.removed


def _set_members(session: AsyncSession, visit_id: uuid.UUID, members: list[MemberIn]) -> None:
    for order, m in enumerate(members):
        session.add(VisitMember(id=new_id(), visit_id=visit_id, sort_order=order, **m.model_dump()))


async def create_visit(
    session: AsyncSession, principal: Principal, data: VisitCreate
) -> tuple[VisitRead, bool]:
    ensure_may_conduct(principal, data.type)
    if data.type is VisitType.self_inspection and principal.role is not Role.enterprise_user:
        raise Unprocessable.field(
            ["body", "type"],
            "Self-inspections are planned by the enterprise's own users",
            "self_inspection_by_enterprise",
            "企业自查由企业用户开展",
            code="self_inspection_by_enterprise",
        )
    lead = (
        None
        if data.type is VisitType.self_inspection
        else (data.lead_department_id or principal.department_id)
    )
    payload: dict[str, Any] = {
        **data.model_dump(exclude={"id", "members", "hazard_ids"}),
        "lead_department_id": lead,
    }
    if data.id is not None:
        existing = await repository.get_any(session, data.id)
        if existing is not None:
            replayed = await get_visit(session, principal, data.id)
            ensure_same_create(
                _snapshot(existing),
                {k: v for k, v in payload.items() if k in data.model_fields_set or k == "type"},
            )
            return replayed, False
    ent = await repository.enterprise_in_scope(session, principal, data.enterprise_id)
    if ent is None:
        raise NotFound(
            "Enterprise not found in your scope",
            "生产经营单位不在您的管辖范围内",
            code="out_of_scope",
        )
    check_shape(data, lead)
    check_members(data.type, data.members)
    await check_hazards(session, data.type, ent, data.hazard_ids)
    if payload["checklist_template_id"] is None:
        payload["checklist_template_id"] = await repository.current_template_for(
            session, list(ent.sectors)
        )
    elif not await repository.template_exists(session, payload["checklist_template_id"]):
        raise Unprocessable.field(
            ["body", "checklist_template_id"],
            "No such checklist",
            "checklist_not_found",
            "检查表不存在",
            code="checklist_not_found",
        )
    visit = InspectionVisit(
        id=data.id or new_id(),
        status=VisitStatus.planned.value,
        region_code=ent.region_code,
        sectors=list(ent.sectors),
        created_by=principal.subject,
        **payload,
    )
    session.add(visit)
    await session.flush()
    _set_members(session, visit.id, data.members)
    for hazard_id in dict.fromkeys(data.hazard_ids):
        session.add(VisitHazard(visit_id=visit.id, hazard_id=hazard_id))
    await session.flush()
    write(
        session,
        principal,
        visit,
        "create",
        diff(
            None,
            {**payload, "members": _members_snapshot(data.members), "hazard_ids": data.hazard_ids},
        ),
        "created",
    )
    return await get_visit(session, principal, visit.id), True


async def update_visit(
    session: AsyncSession,
    principal: Principal,
    visit_id: uuid.UUID,
    data: VisitUpdate,
    expected_version: int | None,
) -> VisitRead:
    visit = await locked(session, principal, visit_id, expected_version)
    ensure_status(visit, VisitStatus.planned, rule="visit_not_planned")
    changes_in = data.model_dump(exclude_unset=True, exclude={"members"})
    reject_nulls(changes_in, ("planned_on", "participating_department_ids"))
    if (
        "checklist_template_id" in changes_in
        and changes_in["checklist_template_id"]
        and not await repository.template_exists(session, changes_in["checklist_template_id"])
    ):
        raise Unprocessable.field(
            ["body", "checklist_template_id"],
            "No such checklist",
            "checklist_not_found",
            "检查表不存在",
            code="checklist_not_found",
        )
    before = _snapshot(visit)
    for key, value in changes_in.items():
        setattr(visit, key, value)
    changes = diff(before, _snapshot(visit))
    if data.members is not None:
        check_members(VisitType(visit.type), data.members)
        old = [
            {
                "role": m.role,
                "name": m.name,
                "person_id": m.person_id,
                "certificate_number": m.certificate_number,
                "department_id": m.department_id,
            }
            for m in await repository.members_for_update(session, visit.id)
        ]
        new = _members_snapshot(data.members)
        if diff({"m": old}, {"m": new}):
            await session.execute(delete(VisitMember).where(VisitMember.visit_id == visit.id))
            _set_members(session, visit.id, data.members)
            changes["members"] = {"old": old, "new": new}
            visit.updated_at = utcnow()  # bumps the version: the members are part of it
    if changes:
        await session.flush()
        write(session, principal, visit, "update", changes, "updated", changed=sorted(changes))
    return await get_visit(session, principal, visit.id)


async def start_visit(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    visit_id: uuid.UUID,
    data: CheckIn,
    expected_version: int | None,
) -> VisitRead:
    """Check in: the location must be within the allowed radius of the unit, or give a reason."""
    visit = await locked(session, principal, visit_id, expected_version)
    ensure_status(visit, VisitStatus.planned, rule="visit_not_planned")
    if VisitType(visit.type) in RECORD_TYPES:
        members = await repository.members_for_update(session, visit.id)
        if not any(m.role == MemberRole.inspector for m in members):
            raise Conflict(
                "Name the inspectors before starting the visit: PATCH "
                f"/api/v1/inspection-visits/{visit.id} with members (role inspector, name, "
                "certificate_number, person_id), then start again",
                "开始检查前须指定检查人员：请通过 PATCH "
                f"/api/v1/inspection-visits/{visit.id} 在 members 中添加检查人员"
                "（role 为 inspector，填写姓名、执法证号及人员 person_id），再开始检查",
                code="visit_inspectors_required",
            )
    ent = await repository.enterprise_any(session, visit.enterprise_id)
    distance = None
    if ent is not None and ent.lat is not None and ent.lon is not None:
        distance = round(distance_m(ent.lat, ent.lon, data.location.lat, data.location.lon), 1)
    if distance is not None and distance > settings.visit_checkin_radius_m and not data.reason:
        raise Unprocessable.field(
            ["body", "reason"],
            f"Check-in is {distance:.0f} m from the unit (allowed "
            f"{settings.visit_checkin_radius_m:.0f} m): give a reason",
            "checkin_too_far",
            f"签到位置距被检查单位 {distance:.0f} 米，超出允许范围，须说明原因",
            code="checkin_too_far",
        )
    visit.status = VisitStatus.in_progress.value
    visit.started_at = data.at or utcnow()
    visit.checkin_lat, visit.checkin_lon = data.location.lat, data.location.lon
    visit.checkin_distance_m, visit.checkin_reason = distance, data.reason
    await session.flush()
    write(
        session,
        principal,
        visit,
        "start",
        {
            "status": {"old": "planned", "new": visit.status},
            "started_at": {"old": None, "new": visit.started_at.isoformat()},
            "checkin_distance_m": {"old": None, "new": distance},
        },
        "started",
    )
    return await get_visit(session, principal, visit.id)


async def complete_visit(
    session: AsyncSession,
    principal: Principal,
    visit_id: uuid.UUID,
    data: Complete,
    expected_version: int | None,
) -> VisitRead:
    """Check out with summary and conclusion; a departmental visit gets its on-site record."""
    visit = await locked(session, principal, visit_id, expected_version)
    ensure_status(visit, VisitStatus.in_progress, rule="visit_not_in_progress")
    vt = VisitType(visit.type)
    if vt in HAZARD_TYPES and await repository.undecided_hazards(session, visit.id):
        raise Conflict(
            "Record an outcome for every hazard of the visit first",
            "请先对本次检查的每项隐患作出结论",
            code="visit_hazards_undecided",
        )
    at = data.at or utcnow()
    visit.status = VisitStatus.completed.value
    visit.completed_at = at
    visit.summary, visit.conclusion = data.summary, data.conclusion
    if data.location is not None:
        visit.checkout_lat, visit.checkout_lon = data.location.lat, data.location.lon
    if vt in RECORD_TYPES:
        ent = await repository.enterprise_any(session, visit.enterprise_id)
        found = await repository.hazards_of_visit(session, visit.id)
        problems = "\n".join(f"{i}. {h['title']}" for i, h in enumerate(found, 1))
        session.add(
            OnsiteRecord(
                visit_id=visit.id,
                status="draft",
                started_at=visit.started_at,
                ended_at=at,
                place=ent.address if ent else None,
                content=data.summary,
                problems=problems,
                handling=data.conclusion,
            )
        )
    await session.flush()
    write(
        session,
        principal,
        visit,
        "complete",
        {
            "status": {"old": "in_progress", "new": visit.status},
            "summary": {"old": None, "new": data.summary},
            "conclusion": {"old": None, "new": data.conclusion},
        },
        "completed",
    )
    return await get_visit(session, principal, visit.id)


async def cancel_visit(
    session: AsyncSession,
    principal: Principal,
    visit_id: uuid.UUID,
    data: Cancel,
    expected_version: int | None,
) -> VisitRead:
    visit = await locked(session, principal, visit_id, expected_version)
    ensure_status(visit, VisitStatus.planned, VisitStatus.in_progress, rule="visit_not_cancellable")
    old = visit.status
    visit.status = VisitStatus.cancelled.value
    visit.cancelled_at, visit.cancel_reason = utcnow(), data.reason
    await session.flush()
    write(
        session,
        principal,
        visit,
        "cancel",
        {
            "status": {"old": old, "new": visit.status},
            "cancel_reason": {"old": None, "new": data.reason},
        },
        "cancelled",
        reason=data.reason,
    )
    return await get_visit(session, principal, visit.id)
