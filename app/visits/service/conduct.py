"""Conducting a visit: checklist item results, the failed-item → hazard path, findings."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import diff
from app.auth.principal import Principal
from app.auth.scope import require
from app.core.clock import utcnow
from app.core.errors import Conflict, NotFound, Unprocessable
from app.core.ids import new_id
from app.hazards import service as hazards
from app.hazards.schemas import HazardCreate
from app.models.reference import CriteriaClause
from app.models.visit import ChecklistItem, ChecklistTemplate, InspectionVisit, VisitItemResult
from app.visits import repository
from app.visits.enums import ItemResult, VisitStatus
from app.visits.schemas import (
    FindingCounts,
    FindingHazard,
    Findings,
    ResultIn,
    ResultList,
    ResultRead,
)
from app.visits.service.common import (
    ensure_status,
    ensure_visit_attachments,
    get_visit,
    locked,
    write,
)

# The hazard source a visit type reports under (hazard_source enum of the hazards domain).
HAZARD_SOURCE = {
    "self_inspection": "self_inspection",
    "departmental": "departmental",
    "joint": "joint",
    "supervisory": "supervisory",
    "leader_led": "supervisory",
    "unannounced": "unannounced",
    "lookback": "look_back",
    "report_verification": "public_report",
    "expert_service": "other",
    "special_campaign": "departmental",
    "acceptance": "departmental",
}


async def list_results(
    session: AsyncSession, principal: Principal, visit_id: uuid.UUID
) -> ResultList:
    await get_visit(session, principal, visit_id)
    return ResultList(
        items=[ResultRead.model_validate(r) for r in await repository.results_of(session, visit_id)]
    )


async def _sector(session: AsyncSession, visit: InspectionVisit) -> str:
    if visit.checklist_template_id is not None:
        template = await session.get(ChecklistTemplate, visit.checklist_template_id)
        if template is not None and template.sector in visit.sectors:
            return template.sector
    return str(visit.sectors[0])


async def clause_ids(session: AsyncSession, code: str | None) -> list[uuid.UUID]:
    if not code:
        return []
    stmt = select(CriteriaClause.id).where(CriteriaClause.code == code)
    return list((await session.execute(stmt)).scalars())


async def raise_hazard(
    session: AsyncSession,
    principal: Principal,
    visit: InspectionVisit,
    item: ChecklistItem,
    note: str | None,
    description: str | None,
) -> uuid.UUID:
    """Report the hazard of a failed item, pre-filled from the item; major when the item names
    a major-hazard criteria clause."""
    clauses = await clause_ids(session, item.criteria_clause_code)
    text = description or "\n".join(x for x in (item.text, note) if x)
    created = await hazards.create_hazard(
        session,
        principal,
        HazardCreate.model_validate(
            {
                "enterprise_id": visit.enterprise_id,
                "title": f"[{item.code}] {item.text}"[:300],
                "description": f"{text}\n依据：{item.legal_basis}" if item.legal_basis else text,
                "sector": await _sector(session, visit),
                "category": "unsafe_condition",
                "source": HAZARD_SOURCE[visit.type],
                "visit_id": visit.id,
                "level": "major" if item.criteria_clause_code else None,
                "criteria_clause_ids": clauses,
                "found_at": utcnow(),
                "found_by_person_id": principal.person_id,
            }
        ),
    )
    return created.id


async def record_result(
    session: AsyncSession,
    principal: Principal,
    visit_id: uuid.UUID,
    item_id: uuid.UUID,
    data: ResultIn,
) -> ResultRead:
    """Record (or correct) one item's result while the visit is in progress."""
    visit = await locked(session, principal, visit_id, None)
    ensure_status(visit, VisitStatus.in_progress, rule="visit_not_in_progress")
    if visit.checklist_template_id is None:
        raise Conflict(
            "The visit has no checklist", "本次检查未选择检查表", code="visit_has_no_checklist"
        )
    item = await repository.item_of_template(session, visit.checklist_template_id, item_id)
    if item is None:
        raise NotFound(
            "No such item on the visit's checklist",
            "检查表中没有该检查项",
            code="checklist_item_not_found",
        )
    if data.raise_hazard and data.result is not ItemResult.fail:
        raise Unprocessable.field(
            ["body", "raise_hazard"],
            "Only a failed item raises a hazard",
            "raise_needs_fail",
            "只有不符合项才能上报隐患",
            code="raise_needs_fail",
        )
    if data.raise_hazard:
        require(principal, "hazard:report")
    result = await repository.result_for_update(session, visit.id, item.id)
    before: dict[str, Any] | None = None
    if result is None:
        result = VisitItemResult(
            id=new_id(), visit_id=visit.id, item_id=item.id, recorded_by=principal.subject
        )
        session.add(result)
    else:
        before = {"result": result.result, "note": result.note, "photo_ids": result.photo_ids}
        if result.hazard_id is not None and data.result is not ItemResult.fail:
            raise Conflict(
                "A hazard was raised for this item; cancel the hazard instead",
                "该检查项已上报隐患，不能改为符合",
                code="result_has_hazard",
            )
        if result.hazard_id is not None and data.raise_hazard:
            raise Conflict(
                "A hazard was already raised for this item",
                "该检查项已上报隐患",
                code="hazard_already_raised",
            )
    await ensure_visit_attachments(session, visit.id, list(data.photo_ids), "photo_ids")
    result.result, result.note = data.result.value, data.note
    result.photo_ids, result.recorded_by = list(data.photo_ids), principal.subject
    result.updated_at = utcnow()
    await session.flush()
    if data.raise_hazard:
        result.hazard_id = await raise_hazard(
            session, principal, visit, item, data.note, data.hazard_description
        )
        await session.flush()
    after = {"result": result.result, "note": result.note, "photo_ids": result.photo_ids}
    write(
        session,
        principal,
        visit,
        "record_result",
        {
            "item_code": item.code,
            **diff(before, after),
            **({"hazard_id": {"old": None, "new": result.hazard_id}} if data.raise_hazard else {}),
        },
        "result_recorded",
        item_id=item.id,
        result=result.result,
        hazard_id=result.hazard_id,
    )
    rows = [r for r in await repository.results_of(session, visit.id) if r["id"] == result.id]
    return ResultRead.model_validate(rows[0])


async def findings(session: AsyncSession, principal: Principal, visit_id: uuid.UUID) -> Findings:
    visit = await get_visit(session, principal, visit_id)
    results = await repository.results_of(session, visit_id)
    total = await repository.item_count(session, visit.checklist_template_id)
    by = {r.value: sum(1 for x in results if x["result"] == r.value) for r in ItemResult}
    found = await repository.hazards_of_visit(session, visit_id)
    return Findings(
        counts=FindingCounts(
            items=total,
            passed=by["pass"],
            failed=by["fail"],
            not_applicable=by["not_applicable"],
            unchecked=max(total - len(results), 0),
            hazards=len(found),
            major_hazards=sum(1 for h in found if h["level"] == "major"),
        ),
        failed_items=[ResultRead.model_validate(r) for r in results if r["result"] == "fail"],
        hazards=[
            FindingHazard(id=h["id"], level=h["level"], status=h["status"], title=h["title"])
            for h in found
        ],
    )
