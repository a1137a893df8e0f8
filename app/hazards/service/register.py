"""The register: report (create), read, list, search, nearby, edit, the timeline."""

from __future__ import annotations

import uuid
from datetime import UTC
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.scope import require
from app.config import Settings
from app.core.clock import today_china, utcnow
from app.core.concurrency import check_version
from app.core.creation import ensure_same_create
from app.core.errors import Conflict, NotFound, Unprocessable, reject_nulls
from app.core.ids import new_id
from app.core.listing import ListSpec, SyncView, run_list
from app.core.problems import register_constraint
from app.enterprises import repository as enterprises
from app.hazards import repository
from app.hazards.enums import HazardStatus
from app.hazards.schemas import (
    HazardCreate,
    HazardDeadlineList,
    HazardDeadlineRead,
    HazardEventFilter,
    HazardEventRead,
    HazardFilter,
    HazardNearby,
    HazardPage,
    HazardRead,
    HazardUpdate,
    NearbyFilter,
)
from app.hazards.service.common import conflict, finish_step, not_found, read, snapshot
from app.hazards.service.reads import RESOURCE, to_read, to_reads
from app.hazards.service.relapse import check_relapse_target, note_relapse_on_old
from app.models.hazard import Hazard, HazardEvent

LIST_SPEC = ListSpec(
    RESOURCE, repository.SORTABLE, "-found_at", Hazard.id, Hazard.sync_xid, Hazard.sync_seq
)
EVENT_SPEC = ListSpec("hazard_event", {"seq": HazardEvent.seq}, "seq", HazardEvent.seq)

register_constraint(
    "fk_hazard_found_by_person_id_person",
    422,
    "person_unknown",
    "found_by_person_id is not a known person",
    "发现人不存在",
)
register_constraint(
    "uq_hazard_code",
    409,
    "hazard_code_taken",
    "The hazard code is already used; retry",
    "隐患编号已被占用，请重试",
)

_CREATE_FIELDS = (
    "enterprise_id",
    "title",
    "description",
    "cause",
    "sector",
    "place",
    "lat",
    "lon",
    "category",
    "level",
    "criteria_clause_ids",
    "expert_note",
    "treatment_type",
    "source",
    "visit_id",
    "report_id",
    "found_by_person_id",
    "found_by_name",
    "found_at",
    "responsible_person",
    "responsible_unit",
    "funds",
    "relapse_of_id",
)
_UPDATE_FIELDS = (
    "title",
    "description",
    "cause",
    "place",
    "lat",
    "lon",
    "category",
    "responsible_person",
    "responsible_unit",
    "measures",
    "funds",
    "plan_goals_tasks",
    "plan_methods_measures",
    "plan_funds_materials",
    "plan_organisation_people",
    "plan_time_requirements",
    "plan_safety_emergency",
)
PLAN_FIELDS = _UPDATE_FIELDS[-6:]


def _columns(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    if "location" in out:
        location = out.pop("location")
        out["lat"] = location["lat"] if location else None
        out["lon"] = location["lon"] if location else None
    if out.get("found_at") is not None:
        out["found_at"] = out["found_at"].astimezone(UTC)
    return out


async def get_hazard(
    session: AsyncSession, principal: Principal, hazard_id: uuid.UUID
) -> HazardRead:
    require(principal, "hazard:read")
    return await read(session, principal, hazard_id)


async def list_hazards(
    session: AsyncSession, settings: Settings, principal: Principal, query: HazardFilter
) -> HazardPage:
    require(principal, "hazard:read")
    today = today_china()
    scoped = repository.visible(principal, include_deleted=query.changed_since is not None)
    frequencies = await repository.SEARCH_GRAMS.get(session) if query.q else None
    stmt = repository.filtered(scoped, query, today, frequencies)
    filters = query.model_dump(exclude={"sort", "limit", "cursor", "changed_since"})
    if query.overdue is not None:
        filters["_today"] = today  # an overdue page is only valid for the day it was asked
    listed = await run_list(
        session,
        settings,
        LIST_SPEC,
        stmt,
        filters=filters,
        sort=query.sort,
        cursor=query.cursor,
        limit=query.limit,
        changed_since=query.changed_since,
        view=SyncView(principal, scoped, repository.was_visible(principal)),
    )
    items = to_reads(listed.rows, principal)
    return HazardPage(items=items, next_cursor=listed.next_cursor, removed=listed.removed)


async def nearby_hazards(
    session: AsyncSession, settings: Settings, principal: Principal, query: NearbyFilter
) -> list[HazardNearby]:
    require(principal, "hazard:read")
    if query.radius_m > settings.hazard_nearby_max_radius_m:
        raise Unprocessable.field(
            ["query", "radius_m"],
            f"radius_m is at most {settings.hazard_nearby_max_radius_m:g}",
            "radius_too_large",
            "查询半径过大",
            code="radius_too_large",
        )
    stmt = repository.nearby_stmt(
        principal, query.lat, query.lon, query.radius_m, query.open_only, query.limit
    )
    out = []
    for row in (await session.execute(stmt)).mappings():
        data = dict(row)
        distance = data.pop("distance_m")
        out.append(
            HazardNearby(
                **to_read(data, principal).model_dump(), distance_m=round(float(distance), 1)
            )
        )
    return out


async def list_events(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    hazard_id: uuid.UUID,
    query: HazardEventFilter,
) -> tuple[list[HazardEventRead], str | None]:
    await get_hazard(session, principal, hazard_id)
    listed = await run_list(
        session,
        settings,
        EVENT_SPEC,
        repository.events_stmt(hazard_id),
        filters={"hazard_id": str(hazard_id)},
        sort=None,
        cursor=query.cursor,
        limit=query.limit,
    )
    rows, next_cursor = listed.rows, listed.next_cursor
    items = []
    for row in rows:
        lat, lon = row.pop("lat"), row.pop("lon")
        row["location"] = {"lat": lat, "lon": lon} if lat is not None and lon is not None else None
        items.append(HazardEventRead.model_validate(row))
    return items, next_cursor


async def list_deadlines(
    session: AsyncSession, principal: Principal, hazard_id: uuid.UUID
) -> HazardDeadlineList:
    await get_hazard(session, principal, hazard_id)
    rows = await repository.deadlines(session, hazard_id)
    return HazardDeadlineList(items=[HazardDeadlineRead.model_validate(r) for r in rows])


async def create_or_replay(
    session: AsyncSession, principal: Principal, data: HazardCreate
) -> tuple[HazardRead, bool]:
    """Report a hazard; a repeated create with the same client id and body returns it (False)."""
    require(principal, "hazard:report")
    payload = _columns(data.model_dump(exclude={"id"}, exclude_unset=True))
    if data.id is not None:
        existing = await repository.get_any(session, data.id)
        if existing is not None:
            replayed = await read(session, principal, data.id)
            ensure_same_create(snapshot(existing, payload), payload)
            return replayed, False
    ent = await enterprises.get_row(session, principal, data.enterprise_id)
    if ent is None:
        raise NotFound("Enterprise not found", "生产经营单位不存在", code="enterprise_not_found")
    unknown = await repository.unknown_clauses(session, data.criteria_clause_ids)
    if unknown:
        raise Unprocessable.field(
            ["body", "criteria_clause_ids"],
            f"Unknown criteria clauses: {', '.join(map(str, unknown))}",
            "criteria_clause_unknown",
            "判定标准条款不存在",
            code="criteria_clause_unknown",
        )
    hazard_id = data.id or new_id()
    if data.relapse_of_id is not None:
        await check_relapse_target(session, principal, data.relapse_of_id, ent["id"], hazard_id)
    values = _columns(data.model_dump(exclude={"id", "location"}))
    values.update(_columns({"location": data.model_dump()["location"]}))
    values["found_at"] = values["found_at"] or utcnow()
    values["responsible_person"] = values["responsible_person"] or None
    county, year = ent["region_code"][:6], today_china().year
    hz = Hazard(
        id=hazard_id,
        code=repository.provisional_code(county, year, hazard_id),
        region_code=ent["region_code"],
        sectors=sorted(set(ent["sectors"]) | {data.sector.value}),
        status=HazardStatus.reported.value,
        reported_by=principal.subject,
        reported_by_role=principal.role.value,
        production_order="none",
        assigned_expert_ids=[],
        escalation_measures=[],
        **{k: (v.value if hasattr(v, "value") else v) for k, v in values.items()},
    )
    session.add(hz)
    read_model = await finish_step(
        session,
        principal,
        hz,
        "report",
        None,
        None,
        {},
        ("code", "status", *_CREATE_FIELDS),
        new_code=(county, year),
        relapse_of_id=hz.relapse_of_id,
    )
    if data.relapse_of_id is not None:
        await note_relapse_on_old(session, principal, data.relapse_of_id, hz)
    return read_model, True


async def create_hazard(
    session: AsyncSession, principal: Principal, data: HazardCreate
) -> HazardRead:
    """Report a hazard (status `reported`). Used by visits, public reports and look-backs."""
    hazard, _ = await create_or_replay(session, principal, data)
    return hazard


async def update_hazard(
    session: AsyncSession,
    principal: Principal,
    hazard_id: uuid.UUID,
    data: HazardUpdate,
    expected_version: int | None,
) -> HazardRead:
    """Descriptive fields; plan elements only while planning. Whoever may manage it."""
    hz = await repository.get_for_update(session, principal, hazard_id)
    if hz is None:
        raise not_found()
    require(
        principal,
        "hazard:self_manage" if principal.role.value == "enterprise_user" else "hazard:manage",
    )
    check_version(expected_version, hz.version)
    if hz.status in ("closed", "cancelled"):
        raise Conflict(
            "A closed or cancelled hazard cannot be edited",
            "已销号或已撤销的隐患不能修改",
            code="hazard_not_open",
        )
    changes_in = _columns(data.model_dump(exclude_unset=True, mode="python"))
    reject_nulls(changes_in, ("title", "category"))  # NOT NULL columns among the writable ones
    if any(k in PLAN_FIELDS for k in changes_in) and hz.status != HazardStatus.planning.value:
        raise conflict(
            "hazard_not_planning",
            "The treatment plan is edited while planning",
            "仅在编制治理方案阶段可修改方案",
        )
    before = snapshot(hz, _UPDATE_FIELDS)
    for key, value in changes_in.items():
        setattr(hz, key, value.value if hasattr(value, "value") else value)
    if snapshot(hz, _UPDATE_FIELDS) == before:
        return await read(session, principal, hz.id)
    return await finish_step(
        session, principal, hz, "update", hz.status, None, before, _UPDATE_FIELDS
    )
