"""The responsibility chain of an enterprise or a hazard at a moment, and the stored snapshot.

Explicit assignments valid at the moment are combined with what is derived from the unit
registry: every department whose region contains the enterprise and whose sectors include one
of the enterprise's sectors supervises it (管行业必须管安全), and the town/street government of
the enterprise's town carries territorial responsibility, without any manual assignment.

Other domains call ``responsibility_chain`` and ``store_snapshot`` (see docs/responsibility.md).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import record_audit
from app.auth.policy import POLICY
from app.auth.principal import Principal, Role
from app.auth.scope import require
from app.core.clock import CHINA_TZ, utcnow
from app.core.errors import NotFound
from app.core.ids import new_id
from app.events.outbox import emit_event
from app.models.enterprise import Enterprise
from app.models.hazard import TERMINAL_STATUSES, Hazard
from app.models.responsibility import ResponsibilitySnapshot
from app.responsibility import repository
from app.responsibility.enums import (
    ChainSource,
    HolderType,
    ObjectType,
    ResponsibilityKind,
    SnapshotReason,
)
from app.responsibility.schemas import (
    ChainEntry,
    ChainHolder,
    EnterpriseRef,
    EnterpriseResponsibility,
    HazardRef,
    HazardResponsibility,
    MajorHazardSourceChain,
    RegionRef,
    ResponsibilitySnapshotRead,
    SectorSupervision,
)

K = ResponsibilityKind
SYSTEM_PRINCIPAL = Principal(
    role=Role.system, subject="system:responsibility", permissions=POLICY[Role.system]
)


def _entry(row: dict[str, Any]) -> ChainEntry:
    object_id = {
        "region": row["object_region_code"],
        "sector_region": row["object_region_code"],
        "enterprise": row["object_enterprise_id"],
        "hazard": row["object_hazard_id"],
        "major_hazard_source": row["object_major_hazard_source_id"],
    }[row["object_type"]]
    return ChainEntry(
        kind=row["kind"],
        source=ChainSource.explicit,
        assignment_id=row["id"],
        holder=ChainHolder(
            type=row["holder_type"],
            id=row["holder_person_id"] or row["holder_department_id"],
            name=row["holder_name"],
        ),
        object_type=row["object_type"],
        object_id=str(object_id) if object_id else None,
        object_name=row["object_name"],
        sector=row["object_sector"],
        valid_from=row["valid_from"],
        valid_to=row["valid_to"],
        duties=row["duties"],
        required_visit_days=row["required_visit_days"],
        appointing_unit=row["appointing_unit"],
        document_number=row["document_number"],
    )


def _derived(
    kind: ResponsibilityKind, dept: dict[str, Any], ent: Enterprise, sector: str | None
) -> ChainEntry:
    return ChainEntry(
        kind=kind,
        source=ChainSource.derived,
        assignment_id=None,
        holder=ChainHolder(type=HolderType.department, id=dept["id"], name=dept["name"]),
        object_type=ObjectType.enterprise,
        object_id=str(ent.id),
        object_name=ent.name,
        sector=sector,
        valid_from=None,
        valid_to=None,
    )


async def enterprise_chain(
    session: AsyncSession,
    ent: Enterprise,
    at: datetime,
    rows: list[dict[str, Any]] | None = None,
) -> EnterpriseResponsibility:
    if rows is None:
        rows = await repository.assignments_for_enterprise(session, ent, at)
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_kind.setdefault(row["kind"], []).append(row)
    sectors = list(ent.sectors)
    derived = await repository.supervising_departments(session, ent.region_code, sectors, at)
    supervision = []
    explicit_sup = by_kind.get(K.departmental_supervision.value, [])
    for sector in sectors:
        entries = [
            _entry(r)
            for r in explicit_sup
            if r["object_type"] == "enterprise" or r["object_sector"] == sector
        ]
        seen = {e.holder.id for e in entries}
        entries += [
            _derived(K.departmental_supervision, d, ent, sector)
            for d in derived
            if sector in d["sectors"] and d["id"] not in seen
        ]
        supervision.append(SectorSupervision(sector=sector, departments=entries))
    territorial = [_entry(r) for r in by_kind.get(K.territorial.value, [])]
    seen_units = {e.holder.id for e in territorial}
    territorial += [
        _derived(K.territorial, d, ent, None)
        for d in await repository.town_governments(session, ent.region_code, at)
        if d["id"] not in seen_units
    ]
    names = await repository.region_names(session, [ent.region_code])
    leaders = by_kind.get(K.leader_liaison.value, [])
    sources = []
    for src in await repository.sources_of(session, ent.id):

        def of(kind: ResponsibilityKind, source_id: uuid.UUID = src["id"]) -> list[ChainEntry]:
            return [
                _entry(r)
                for r in by_kind.get(kind.value, [])
                if r["object_major_hazard_source_id"] == source_id
            ]

        sources.append(
            MajorHazardSourceChain(
                id=src["id"],
                name=src["name"],
                grade=src["grade"],
                main_responsible=of(K.hazchem_main_responsible),
                technical_leads=of(K.hazchem_technical_lead),
                operations_leads=of(K.hazchem_operations_lead),
                leaders=of(K.leader_liaison),
            )
        )
    return EnterpriseResponsibility(
        at=at,
        enterprise=EnterpriseRef(
            id=ent.id,
            name=ent.name,
            region_code=ent.region_code,
            sectors=sectors,
            risk_grade=ent.risk_grade,
            status=ent.status,
        ),
        town=RegionRef(code=ent.region_code, name=names[ent.region_code])
        if ent.region_code in names
        else None,
        main_responsible=[_entry(r) for r in by_kind.get(K.enterprise_main_responsible.value, [])],
        safety_managers=[_entry(r) for r in by_kind.get(K.enterprise_safety_manager.value, [])],
        supervision=supervision,
        territorial=territorial,
        leaders=[_entry(r) for r in leaders],
        major_hazard_sources=sources,
    )


def hazard_overdue(hz: Hazard, at: datetime) -> bool:
    return (
        hz.deadline is not None
        and hz.status not in TERMINAL_STATUSES
        and hz.deadline < at.astimezone(CHINA_TZ).date()
    )


async def hazard_chain(session: AsyncSession, hz: Hazard, at: datetime) -> HazardResponsibility:
    ent = await session.get(Enterprise, hz.enterprise_id)
    assert ent is not None  # a hazard always belongs to an enterprise (FK)
    rows = await repository.assignments_for_enterprise(session, ent, at)
    chain = await enterprise_chain(session, ent, at, rows)
    hazard_rows = [r for r in rows if r["object_hazard_id"] == hz.id]
    rectification = [_entry(r) for r in hazard_rows if r["kind"] == K.hazard_rectification.value]
    if hz.responsible_person and hz.responsible_person.get("name"):
        rectification.append(
            ChainEntry(
                kind=K.hazard_rectification,
                source=ChainSource.hazard_record,
                assignment_id=None,
                holder=ChainHolder(
                    type=HolderType.person, id=None, name=hz.responsible_person["name"]
                ),
                object_type=ObjectType.hazard,
                object_id=str(hz.id),
                object_name=hz.title,
                valid_from=None,
                valid_to=None,
                duties=hz.measures,
                appointing_unit=hz.responsible_unit,
                document_number=hz.order_document_number,
            )
        )
    return HazardResponsibility(
        at=at,
        hazard=HazardRef(
            id=hz.id,
            code=hz.code,
            title=hz.title,
            level=hz.level,
            status=hz.status,
            deadline=hz.deadline,
            overdue=hazard_overdue(hz, at),
        ),
        rectification=rectification,
        hazard_leaders=[_entry(r) for r in hazard_rows if r["kind"] == K.leader_liaison.value],
        enterprise=chain,
    )


async def responsibility_chain(
    session: AsyncSession, hazard_id: uuid.UUID, at: datetime | None = None
) -> dict[str, Any]:
    """The hazard's chain at ``at`` (default now) as JSON-ready data. Unscoped: for other
    domains' services (the caller has already checked the hazard)."""
    hz = await session.get(Hazard, hazard_id)
    if hz is None:
        raise NotFound("Hazard not found", "隐患不存在", code="hazard_not_found")
    chain = await hazard_chain(session, hz, at or utcnow())
    return chain.model_dump(mode="json")


async def store_snapshot(
    session: AsyncSession,
    hazard_id: uuid.UUID,
    reason: SnapshotReason | str,
    *,
    event_id: uuid.UUID | None = None,
    principal: Principal | None = None,
    at: datetime | None = None,
) -> uuid.UUID:
    """Freeze the hazard's chain now (overdue / escalated / closed), in the caller's
    transaction; records audit and an outbox event. Returns the snapshot id."""
    reason = SnapshotReason(reason)
    hz = await session.get(Hazard, hazard_id)
    if hz is None:
        raise NotFound("Hazard not found", "隐患不存在", code="hazard_not_found")
    taken_at = at or utcnow()
    chain = (await hazard_chain(session, hz, taken_at)).model_dump(mode="json")
    snap = ResponsibilitySnapshot(
        id=new_id(),
        hazard_id=hz.id,
        reason=reason.value,
        taken_at=taken_at,
        chain=chain,
        event_id=event_id,
        enterprise_id=hz.enterprise_id,
        region_code=hz.region_code,
        sectors=list(hz.sectors),
    )
    session.add(snap)
    await session.flush()
    record_audit(
        session,
        principal or SYSTEM_PRINCIPAL,
        action="snapshot",
        resource_type="responsibility_snapshot",
        resource_id=snap.id,
        changes={
            "hazard_id": {"old": None, "new": str(hz.id)},
            "reason": {"old": None, "new": reason.value},
        },
        region_code=hz.region_code,
    )
    emit_event(
        session,
        "responsibility_snapshot.taken",
        resource_type="responsibility_snapshot",
        resource_id=snap.id,
        data={
            "hazard_id": hz.id,
            "reason": reason.value,
            "taken_at": taken_at,
            "event_id": event_id,
        },
        region_code=hz.region_code,
        sectors=list(hz.sectors),
        enterprise_id=hz.enterprise_id,
    )
    return snap.id


# --- HTTP-facing reads (scoped) ---


async def get_enterprise_responsibility(
    session: AsyncSession, principal: Principal, enterprise_id: uuid.UUID, at: datetime | None
) -> EnterpriseResponsibility:
    require(principal, "responsibility:read")
    ent = await repository.enterprise(session, enterprise_id)
    if ent is None or not await repository.visible_enterprise(session, principal, enterprise_id):
        raise NotFound("Enterprise not found", "生产经营单位不存在", code="enterprise_not_found")
    return await enterprise_chain(session, ent, at or utcnow())


async def _visible_hazard(
    session: AsyncSession, principal: Principal, hazard_id: uuid.UUID
) -> Hazard:
    require(principal, "responsibility:read")
    hz = await repository.hazard(session, hazard_id)
    if hz is None or not await repository.visible_hazard(session, principal, hazard_id):
        raise NotFound("Hazard not found", "隐患不存在", code="hazard_not_found")
    return hz


async def get_hazard_responsibility(
    session: AsyncSession, principal: Principal, hazard_id: uuid.UUID, at: datetime | None
) -> HazardResponsibility:
    hz = await _visible_hazard(session, principal, hazard_id)
    return await hazard_chain(session, hz, at or utcnow())


async def list_snapshots(
    session: AsyncSession, principal: Principal, hazard_id: uuid.UUID
) -> list[ResponsibilitySnapshotRead]:
    await _visible_hazard(session, principal, hazard_id)
    rows = await repository.snapshots(session, principal, hazard_id)
    return [ResponsibilitySnapshotRead.model_validate(r) for r in rows]
