"""Criteria catalogue: listing and the idempotent import (seed file and uploads)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.audit.recorder import record_audit
from app.auth.principal import Principal
from app.auth.scope import require
from app.core.clock import today_china
from app.core.errors import Unprocessable
from app.core.ids import new_id
from app.criteria import repository
from app.criteria.schemas import (
    CatalogueImport,
    ClauseRead,
    CriteriaFilter,
    ImportResult,
    StandardRead,
)


async def list_standards(session: AsyncSession, sectors: list[str]) -> list[StandardRead]:
    rows = await repository.list_standards(session, sectors, today_china())
    return [StandardRead.model_validate(r) for r in rows]


async def list_clauses(session: AsyncSession, query: CriteriaFilter) -> list[ClauseRead]:
    rows = await repository.list_clauses(
        session, list(query.sector), query.standard, query.in_force, today_china()
    )
    return [ClauseRead.model_validate(r) for r in rows]


async def load_catalogue(
    conn: AsyncConnection | AsyncSession, catalogue: CatalogueImport
) -> ImportResult:
    codes = {s.code for s in catalogue.standards}
    for i, std in enumerate(catalogue.standards):
        if std.superseded_by and std.superseded_by not in codes:
            raise Unprocessable.field(
                ["body", "standards", i, "superseded_by"],
                f"Unknown standard {std.superseded_by} in this import",
                "unknown_standard",
                f"本次导入中没有标准 {std.superseded_by}",
                code="unknown_standard",
            )
    clauses = 0
    for std in catalogue.standards:
        standard_id = await repository.upsert_standard(
            conn,
            {
                "id": new_id(),
                "code": std.code,
                "sector": std.sector.value,
                "title": std.title,
                "issuing_body": std.issuing_body,
                "document_number": std.document_number,
                "effective_on": std.effective_on,
            },
        )
        for order, clause in enumerate(std.clauses):
            await repository.upsert_clause(
                conn,
                {
                    "id": new_id(),
                    "standard_id": standard_id,
                    "code": clause.code,
                    "text": clause.text,
                    "sector": std.sector.value,
                    "sort_order": order,
                },
            )
            clauses += 1
    for std in catalogue.standards:
        if std.superseded_by:
            await repository.set_superseded(conn, std.code, std.superseded_by)
    return ImportResult(standards=len(catalogue.standards), clauses=clauses)


async def import_catalogue(
    session: AsyncSession, principal: Principal, catalogue: CatalogueImport
) -> ImportResult:
    require(principal, "criteria:write")
    result = await load_catalogue(session, catalogue)
    record_audit(
        session,
        principal,
        action="import",
        resource_type="criteria_catalogue",
        resource_id=",".join(s.code for s in catalogue.standards)[:64],
        changes={
            "standards": {"old": None, "new": result.standards},
            "clauses": {"old": None, "new": result.clauses},
        },
    )
    return result
