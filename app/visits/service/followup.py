"""Following up: look-back visits (回头看, held / relapsed) and acceptance visits (验收)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.scope import require
from app.config import Settings
from app.core.clock import today_china, utcnow
from app.core.errors import Conflict, NotFound, Unprocessable
from app.core.ids import new_id
from app.hazards import service as hazards
from app.hazards.schemas import HazardAccept, HazardCreate, HazardRead, HazardRejectAcceptance
from app.models.enterprise import Enterprise
from app.models.hazard import Hazard
from app.models.visit import InspectionVisit, VisitHazard, VisitMember
from app.responsibility.repository import supervising_departments
from app.visits import repository
from app.visits.enums import (
    AcceptanceResult,
    LookbackOutcome,
    MemberRole,
    VisitStatus,
    VisitType,
)
from app.visits.schemas import AcceptanceResultIn, LookbackOutcomeIn, VisitRead
from app.visits.service.common import ensure_status, get_visit, locked, write
from app.visits.service.conduct import HAZARD_SOURCE


async def _target(
    session: AsyncSession,
    principal: Principal,
    visit_id: uuid.UUID,
    visit_type: VisitType,
    hazard_id: uuid.UUID,
    *,
    conduct: bool = True,
) -> tuple[InspectionVisit, VisitHazard]:
    visit = await locked(session, principal, visit_id, None, conduct=conduct)
    if visit.type != visit_type:
        raise Conflict(
            f"This is not a {visit_type.value} visit",
            "检查类型不符",
            code=f"visit_not_{visit_type.value}",
        )
    ensure_status(visit, VisitStatus.in_progress, rule="visit_not_in_progress")
    target = await repository.visit_hazard(session, visit.id, hazard_id)
    if target is None:
        raise NotFound(
            "The hazard is not part of this visit",
            "该隐患不在本次检查范围内",
            code="visit_hazard_not_found",
        )
    if target.outcome is not None:
        raise Conflict(
            "An outcome is already recorded for this hazard",
            "该隐患已有检查结论",
            code="visit_hazard_decided",
        )
    return visit, target


async def record_lookback(
    session: AsyncSession, principal: Principal, visit_id: uuid.UUID, data: LookbackOutcomeIn
) -> VisitRead:
    """Held, or relapsed: a relapse opens a new hazard linked to the closed one."""
    visit, target = await _target(session, principal, visit_id, VisitType.lookback, data.hazard_id)
    if data.outcome is LookbackOutcome.relapsed:
        old = (await repository.hazards_brief(session, [data.hazard_id]))[data.hazard_id]
        new = await hazards.create_hazard(
            session,
            principal,
            HazardCreate.model_validate(
                {
                    "enterprise_id": visit.enterprise_id,
                    "title": f"反弹：{old['title']}"[:300],
                    "description": data.description or data.note or old["description"],
                    "sector": old["sector"],
                    "category": old["category"],
                    "level": old["level"],
                    "criteria_clause_ids": old["criteria_clause_ids"],
                    "source": HAZARD_SOURCE[visit.type],
                    "visit_id": visit.id,
                    "relapse_of_id": data.hazard_id,
                    "found_at": utcnow(),
                    "found_by_person_id": principal.person_id,
                }
            ),
        )
        target.new_hazard_id = new.id
    target.outcome, target.note = data.outcome.value, data.note
    target.decided_at, target.decided_by = utcnow(), principal.subject
    await session.flush()
    write(
        session,
        principal,
        visit,
        "record_lookback",
        {
            "hazard_id": str(data.hazard_id),
            "outcome": {"old": None, "new": target.outcome},
            "new_hazard_id": {"old": None, "new": target.new_hazard_id},
        },
        "lookback_recorded",
        hazard_id=data.hazard_id,
        outcome=target.outcome,
        new_hazard_id=target.new_hazard_id,
    )
    return await get_visit(session, principal, visit.id)


async def record_acceptance(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    visit_id: uuid.UUID,
    data: AcceptanceResultIn,
) -> VisitRead:
    """The panel's result drives the hazard: passed → accept (closed; a major one gets its
    look-back visit planned), failed → back to rectifying."""
    require(principal, "hazard:accept")
    visit, target = await _target(
        session, principal, visit_id, VisitType.acceptance, data.hazard_id, conduct=False
    )
    experts = [
        m.name
        for m in await repository.members_for_update(session, visit.id)
        if m.role == MemberRole.expert
    ]
    hazard: HazardRead
    if data.result is AcceptanceResult.passed:
        hazard = await hazards.accept_hazard(
            session,
            principal,
            data.hazard_id,
            HazardAccept(
                opinion=data.note or "验收通过",
                experts=experts,
                accepted_on=today_china(),
                comment=f"验收检查 {visit.id}",
            ),
            expected_version=None,
        )
        await schedule_lookback(session, principal, hazard, settings)
    else:
        if not data.note:
            raise Unprocessable.field(
                ["body", "note"],
                "A failed acceptance needs its reasons",
                "reasons_required",
                "验收不通过须说明理由",
                code="reasons_required",
            )
        hazard = await hazards.reject_acceptance(
            session,
            principal,
            data.hazard_id,
            HazardRejectAcceptance(reason=data.note, comment=f"验收检查 {visit.id}"),
            expected_version=None,
        )
    target.outcome, target.note = data.result.value, data.note
    target.decided_at, target.decided_by = utcnow(), principal.subject
    await session.flush()
    write(
        session,
        principal,
        visit,
        "record_acceptance",
        {"hazard_id": str(data.hazard_id), "outcome": {"old": None, "new": target.outcome}},
        "acceptance_recorded",
        hazard_id=data.hazard_id,
        outcome=target.outcome,
        hazard_status=hazard.status,
    )
    return await get_visit(session, principal, visit.id)


async def _lookback_team(
    session: AsyncSession,
    principal: Principal,
    hazard: HazardRead | Hazard,
    ent: Enterprise,
) -> tuple[uuid.UUID | None, list[VisitMember]]:
    """Who goes back: the lead department and inspectors of the visit that found the hazard (or
    of the acceptance visit that closed it); failing those, the department that ordered the
    rectification or the enterprise's supervising department, with up to two of its active
    certified inspectors (by name)."""
    lead: uuid.UUID | None = None
    inspectors: list[VisitMember] = []
    acceptance = await repository.last_acceptance_visit(session, hazard.id)
    for visit_id in (hazard.visit_id, acceptance):
        source = await repository.get_any(session, visit_id) if visit_id else None
        if source is None:
            continue
        lead = lead or source.lead_department_id
        if not inspectors:
            inspectors = [
                VisitMember(
                    id=new_id(),
                    role=m.role,
                    name=m.name,
                    person_id=m.person_id,
                    certificate_number=m.certificate_number,
                    department_id=m.department_id,
                    sort_order=m.sort_order,
                )
                for m in await repository.members_for_update(session, source.id)
                if m.role == MemberRole.inspector
            ]
    if lead is None:
        supervising = await supervising_departments(
            session, ent.region_code, list(ent.sectors), utcnow()
        )
        supervising.sort(key=lambda d: -len(d["region_code"]))  # the nearest one first
        lead = (
            hazard.order_department_id
            or (supervising[0]["id"] if supervising else None)
            or principal.department_id
        )
    if not inspectors and lead is not None:
        inspectors = [
            VisitMember(
                id=new_id(),
                role=MemberRole.inspector.value,
                name=p.name,
                person_id=p.id,
                certificate_number=p.certificate_number,
                department_id=lead,
                sort_order=order,
            )
            for order, p in enumerate(await repository.department_inspectors(session, lead))
        ]
    return lead, inspectors


async def schedule_lookback(
    session: AsyncSession,
    principal: Principal,
    hazard: HazardRead | Hazard,
    settings: Settings | None = None,
) -> uuid.UUID | None:
    """Plan a look-back visit ``lookback_after_days`` after a major hazard was closed, with the
    team of ``_lookback_team``.

    For the hazards domain to call (in its own transaction) when it closes a major hazard;
    returns the new visit's id, or None when the hazard is not a closed major one.
    """
    settings = settings or Settings()
    if hazard.level != "major" or hazard.status != "closed":
        return None
    if await repository.lookback_planned(session, hazard.id):
        return None
    ent = await repository.enterprise_any(session, hazard.enterprise_id)
    if ent is None:
        return None
    lead, inspectors = await _lookback_team(session, principal, hazard, ent)
    visit = InspectionVisit(
        id=new_id(),
        type=VisitType.lookback.value,
        status=VisitStatus.planned.value,
        enterprise_id=ent.id,
        region_code=ent.region_code,
        sectors=list(ent.sectors),
        lead_department_id=lead,
        participating_department_ids=[],
        planned_on=today_china() + timedelta(days=settings.lookback_after_days),
        purpose=f"重大事故隐患销号后回头看：{hazard.code} {hazard.title}"[:2000],
        created_by=principal.subject,
    )
    session.add(visit)
    await session.flush()
    session.add(VisitHazard(visit_id=visit.id, hazard_id=hazard.id))
    for member in inspectors:
        member.visit_id = visit.id
        session.add(member)
    await session.flush()
    write(
        session,
        principal,
        visit,
        "create",
        {
            "type": {"old": None, "new": visit.type},
            "planned_on": {"old": None, "new": visit.planned_on},
            "lead_department_id": {"old": None, "new": lead},
            "hazard_ids": {"old": None, "new": [str(hazard.id)]},
            "members": {"old": None, "new": [m.name for m in inspectors]},
        },
        "created",
        scheduled_for_hazard=hazard.id,
    )
    return visit.id
