"""The major-hazard criteria catalogue over HTTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.auth.dependencies import PrincipalDep, SessionDep
from app.core.problems import problems
from app.criteria import service
from app.criteria.schemas import (
    CatalogueImport,
    ClauseList,
    CriteriaFilter,
    ImportResult,
    StandardFilter,
    StandardList,
)

router = APIRouter(prefix="/criteria", tags=["criteria"])


@router.get("", response_model=ClauseList, responses=problems())
async def list_criteria(
    session: SessionDep, query: Annotated[CriteriaFilter, Query()]
) -> ClauseList:
    """Clauses that make a hazard major, with their standard (filter by sector, standard)."""
    return ClauseList(items=await service.list_clauses(session, query))


@router.get("/standards", response_model=StandardList, responses=problems())
async def list_criteria_standards(
    session: SessionDep, query: Annotated[StandardFilter, Query()]
) -> StandardList:
    """The versioned standards (判定标准): issuing body, document number, effective date."""
    sectors = [s.value for s in query.sector]
    return StandardList(items=await service.list_standards(session, sectors))


@router.post("/import", response_model=ImportResult, responses=problems(403))
async def import_criteria(
    data: CatalogueImport, session: SessionDep, principal: PrincipalDep
) -> ImportResult:
    """Upsert a catalogue (administrator); clauses are never deleted (hazards cite them)."""
    return await service.import_catalogue(session, principal, data)
