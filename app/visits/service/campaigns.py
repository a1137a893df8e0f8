"""Campaigns: CRUD within the caller's region, and progress figures."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    distinct,
    false,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import diff, record_audit
from app.auth.principal import Principal, Role
from app.auth.scope import region_subtree, require, unit_scope
from app.config import Settings
from app.core.clock import today_china
from app.core.concurrency import check_version
from app.core.creation import ensure_same_create
from app.core.errors import NotFound, Unprocessable, reject_nulls
from app.core.ids import new_id
from app.core.listing import ListSpec, SyncView, run_list
from app.events.outbox import emit_event
from app.models.enterprise import Enterprise
from app.models.hazard import TERMINAL_STATUSES, Hazard
from app.models.visit import Campaign, InspectionVisit
from app.reference.service import ensure_region
from app.visits.campaign_schemas import (
    CampaignCreate,
    CampaignFilter,
    CampaignProgress,
    CampaignRead,
    CampaignUpdate,
)

C, E, V, H = Campaign, Enterprise, InspectionVisit, Hazard
RESOURCE = "campaign"
_COLUMNS: tuple[Any, ...] = (
    C.id,
    C.name,
    C.document_number,
    C.issuer_department_id,
    C.region_code,
    C.sectors,
    C.starts_on,
    C.ends_on,
    C.description,
    C.version,
    C.created_at,
    C.updated_at,
    C.deleted_at,
    C.sync_xid,
    C.sync_seq,
)
_FIELDS = (
    "name",
    "document_number",
    "issuer_department_id",
    "region_code",
    "sectors",
    "starts_on",
    "ends_on",
    "description",
)
LIST_SPEC = ListSpec(
    RESOURCE,
    {"starts_on": C.starts_on, "created_at": C.created_at, "id": C.id},
    "-starts_on",
    C.id,
    C.sync_xid,
    C.sync_seq,
)


def _scope(principal: Principal) -> ColumnElement[bool]:
    """A campaign covering the caller's region, or inside it."""
    if principal.role is Role.admin or (
        principal.role is Role.system and not principal.region_code
    ):
        return true()
    if not principal.region_code:
        return false()
    mine = principal.region_code
    return or_(region_subtree(C.region_code, mine), literal(mine).startswith(C.region_code))


def _not_found() -> NotFound:
    return NotFound("Campaign not found", "专项行动不存在", code="campaign_not_found")


def _visible(principal: Principal, include_deleted: bool = False) -> Select[Any]:
    stmt = select(*_COLUMNS).where(_scope(principal))
    return stmt if include_deleted else stmt.where(C.deleted_at.is_(None))


def visible(principal: Principal) -> Select[Any]:
    """The campaigns the caller's list shows (also the rule for a ``campaign_id`` reference)."""
    return _visible(principal)


async def get_campaign(
    session: AsyncSession, principal: Principal, campaign_id: uuid.UUID
) -> CampaignRead:
    require(principal, "campaign:read")
    row = (await session.execute(_visible(principal).where(C.id == campaign_id))).mappings()
    found = row.first()
    if found is None:
        raise _not_found()
    return CampaignRead.model_validate(dict(found))


async def list_campaigns(
    session: AsyncSession, settings: Settings, principal: Principal, query: CampaignFilter
) -> tuple[list[CampaignRead], str | None, list[dict[str, Any]]]:
    require(principal, "campaign:read")
    scoped = _visible(principal, include_deleted=query.changed_since is not None)
    stmt = scoped
    if query.region:
        stmt = stmt.where(region_subtree(C.region_code, query.region))
    if query.sector:
        stmt = stmt.where(C.sectors.overlap(array([s.value for s in query.sector])))
    if query.active_on:
        stmt = stmt.where(C.starts_on <= query.active_on, C.ends_on >= query.active_on)
    listed = await run_list(
        session,
        settings,
        LIST_SPEC,
        stmt,
        filters=query.model_dump(exclude={"limit", "cursor", "changed_since"}, mode="json"),
        sort=None,
        cursor=query.cursor,
        limit=query.limit,
        changed_since=query.changed_since,
        view=SyncView(principal, scoped),
    )
    rows, next_cursor = listed.rows, listed.next_cursor
    return [CampaignRead.model_validate(r) for r in rows], next_cursor, listed.removed


def _check_period(data: dict[str, Any]) -> None:
    if data["ends_on"] < data["starts_on"]:
        raise Unprocessable.field(
            ["body", "ends_on"],
            "The campaign ends before it starts",
            "period_reversed",
            "结束日期早于开始日期",
            code="period_reversed",
        )


def _emit(
    session: AsyncSession,
    principal: Principal,
    campaign: Campaign,
    action: str,
    changes: dict[str, Any],
) -> None:
    record_audit(
        session,
        principal,
        action=action,
        resource_type=RESOURCE,
        resource_id=campaign.id,
        changes=changes,
        region_code=campaign.region_code,
    )
    emit_event(
        session,
        f"campaign.{action}d",
        resource_type=RESOURCE,
        resource_id=campaign.id,
        data={"version": campaign.version, "name": campaign.name},
        region_code=campaign.region_code,
        sectors=list(campaign.sectors),
    )


async def create_campaign(
    session: AsyncSession, principal: Principal, data: CampaignCreate
) -> tuple[CampaignRead, bool]:
    require(principal, "campaign:write")
    payload = data.model_dump(exclude={"id"}, mode="json")
    payload["issuer_department_id"] = data.issuer_department_id or principal.department_id
    if data.id is not None:
        existing = await session.get(C, data.id)
        if existing is not None:
            replayed = await get_campaign(session, principal, data.id)
            ensure_same_create(
                {f: getattr(existing, f) for f in _FIELDS},
                {k: v for k, v in payload.items() if k in data.model_fields_set},
            )
            return replayed, False
    if principal.role is not Role.admin and not (
        principal.region_code and data.region_code.startswith(principal.region_code)
    ):
        raise NotFound(
            "Region not found in your scope", "该区划不在您的管辖范围内", code="out_of_scope"
        )
    await ensure_region(session, data.region_code, ["body", "region_code"], min_level=3)
    payload.update(starts_on=data.starts_on, ends_on=data.ends_on)
    _check_period(payload)
    campaign = C(id=data.id or new_id(), **payload)
    session.add(campaign)
    await session.flush()
    _emit(session, principal, campaign, "create", diff(None, payload))
    return await get_campaign(session, principal, campaign.id), True


async def update_campaign(
    session: AsyncSession,
    principal: Principal,
    campaign_id: uuid.UUID,
    data: CampaignUpdate,
    expected_version: int | None,
) -> CampaignRead:
    require(principal, "campaign:write")
    campaign = (
        await session.execute(
            select(C)
            .where(C.id == campaign_id, C.deleted_at.is_(None), _scope(principal))
            .with_for_update()
        )
    ).scalar_one_or_none()
    if campaign is None:
        raise _not_found()
    check_version(expected_version, campaign.version)
    before = {f: getattr(campaign, f) for f in _FIELDS}
    changes_in = data.model_dump(exclude_unset=True)
    reject_nulls(changes_in, ("name", "sectors", "starts_on", "ends_on"))
    for key, value in changes_in.items():
        setattr(campaign, key, value)
    _check_period({"starts_on": campaign.starts_on, "ends_on": campaign.ends_on})
    changes = diff(before, {f: getattr(campaign, f) for f in _FIELDS})
    if changes:
        await session.flush()
        _emit(session, principal, campaign, "update", changes)
    return await get_campaign(session, principal, campaign.id)


async def campaign_progress(
    session: AsyncSession, principal: Principal, campaign_id: uuid.UUID
) -> CampaignProgress:
    """Figures for one campaign, limited to the units the caller may see."""
    campaign = await get_campaign(session, principal, campaign_id)
    sectors = array([s.value for s in campaign.sectors])
    in_scope = await session.scalar(
        select(func.count()).where(
            unit_scope(principal, region=E.region_code, sectors=E.sectors, enterprise_id=E.id),
            region_subtree(E.region_code, campaign.region_code),
            E.sectors.overlap(sectors),
            E.deleted_at.is_(None),
            E.status != "closed",
        )
    )
    visit_scope = and_(
        V.campaign_id == campaign_id,
        V.deleted_at.is_(None),
        unit_scope(
            principal, region=V.region_code, sectors=V.sectors, enterprise_id=V.enterprise_id
        ),
    )
    visits = (
        await session.execute(
            select(
                func.count(distinct(V.enterprise_id)).filter(V.status == "completed"),
                func.count().filter(V.status == "planned"),
                func.count().filter(V.status == "completed"),
            ).where(visit_scope)
        )
    ).one()
    campaign_visits = select(V.id).where(visit_scope)
    today = today_china()
    hazards = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(H.status == "closed"),
                func.count().filter(H.deadline < today, H.status.not_in(TERMINAL_STATUSES)),
            ).where(H.visit_id.in_(campaign_visits))
        )
    ).one()
    found = int(hazards[0])
    return CampaignProgress(
        campaign_id=campaign_id,
        enterprises_in_scope=int(in_scope or 0),
        enterprises_visited=int(visits[0]),
        visits_planned=int(visits[1]),
        visits_completed=int(visits[2]),
        hazards_found=found,
        hazards_rectified=int(hazards[1]),
        hazards_overdue=int(hazards[2]),
        rectification_rate=round(int(hazards[1]) / found, 4) if found else None,
    )
