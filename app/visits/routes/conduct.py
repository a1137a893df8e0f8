"""Conducting a visit over HTTP: item results, findings, look-back and acceptance outcomes."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from app.auth.dependencies import PrincipalDep, SessionDep, SettingsDep
from app.core.problems import problems
from app.visits.schemas import (
    AcceptanceResultIn,
    Findings,
    LookbackOutcomeIn,
    ResultIn,
    ResultList,
    ResultRead,
    VisitRead,
)
from app.visits.service import conduct, followup

router = APIRouter(prefix="/inspection-visits", tags=["inspection-visits"])


@router.get("/{visit_id}/results", response_model=ResultList, responses=problems(403, 404))
async def list_visit_results(
    visit_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> ResultList:
    """Checklist item results recorded so far."""
    return await conduct.list_results(session, principal, visit_id)


@router.put(
    "/{visit_id}/results/{item_id}", response_model=ResultRead, responses=problems(403, 404, 409)
)
async def record_visit_result(
    visit_id: uuid.UUID,
    item_id: uuid.UUID,
    data: ResultIn,
    session: SessionDep,
    principal: PrincipalDep,
) -> ResultRead:
    """Pass / fail / not applicable for one item; `raise_hazard` on a failed item reports the
    hazard in the same call (major when the item names a major-hazard criteria clause)."""
    return await conduct.record_result(session, principal, visit_id, item_id, data)


@router.get("/{visit_id}/findings", response_model=Findings, responses=problems(403, 404))
async def get_visit_findings(
    visit_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Findings:
    """Failed items and the hazards raised on the visit, with counts."""
    return await conduct.findings(session, principal, visit_id)


@router.post(
    "/{visit_id}/lookback-outcomes", response_model=VisitRead, responses=problems(403, 404, 409)
)
async def record_lookback_outcome(
    visit_id: uuid.UUID, data: LookbackOutcomeIn, session: SessionDep, principal: PrincipalDep
) -> VisitRead:
    """Look-back (回头看): held, or relapsed — a relapse opens a new hazard linked to the old."""
    return await followup.record_lookback(session, principal, visit_id, data)


@router.post(
    "/{visit_id}/acceptance-results", response_model=VisitRead, responses=problems(403, 404, 409)
)
async def record_acceptance_result(
    visit_id: uuid.UUID,
    data: AcceptanceResultIn,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> VisitRead:
    """Acceptance (验收): passed closes the hazard, failed sends it back to rectifying."""
    return await followup.record_acceptance(session, settings, principal, visit_id, data)
