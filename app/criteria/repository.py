"""Criteria catalogue queries (public reference data) and idempotent upserts."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import aliased

from app.models.reference import CriteriaClause, CriteriaStandard

S, C = CriteriaStandard, CriteriaClause
Newer = aliased(CriteriaStandard)


def _in_force(today: date) -> Any:
    return and_(S.effective_on <= today, S.superseded_by_id.is_(None))


async def list_standards(
    session: AsyncSession, sectors: list[str], today: date
) -> list[dict[str, Any]]:
    stmt = (
        select(
            S.id,
            S.code,
            S.sector,
            S.title,
            S.issuing_body,
            S.document_number,
            S.effective_on,
            Newer.code.label("superseded_by_code"),
            _in_force(today).label("in_force"),
        )
        .outerjoin(Newer, Newer.id == S.superseded_by_id)
        .order_by(S.sector, S.effective_on)
    )
    if sectors:
        stmt = stmt.where(S.sector.in_(sectors))
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


async def list_clauses(
    session: AsyncSession,
    sectors: list[str],
    standard: str | None,
    in_force: bool | None,
    today: date,
) -> list[dict[str, Any]]:
    stmt = (
        select(
            C.id,
            C.code,
            C.text,
            C.sector,
            S.code.label("standard_code"),
            S.title.label("standard_title"),
            S.document_number,
            S.effective_on,
            _in_force(today).label("in_force"),
        )
        .join(S, S.id == C.standard_id)
        .order_by(S.code, C.sort_order, C.code)
    )
    if sectors:
        stmt = stmt.where(C.sector.in_(sectors))
    if standard:
        stmt = stmt.where(S.code == standard)
    if in_force is not None:
        stmt = stmt.where(_in_force(today) if in_force else ~_in_force(today))
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


async def clauses_by_ids(session: AsyncSession, ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    """For other domains: which of these clause ids exist, with their sector."""
    stmt = select(C.id, C.code, C.sector, C.standard_id).where(C.id.in_(ids))
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


async def upsert_standard(
    conn: AsyncConnection | AsyncSession, values: dict[str, Any]
) -> uuid.UUID:
    stmt = insert(S).values(**values)
    upsert = stmt.on_conflict_do_update(
        index_elements=[S.code],
        set_={k: stmt.excluded[k] for k in values if k not in ("id", "code")},
    ).returning(S.id)
    return (await conn.execute(upsert)).scalar_one()


async def upsert_clause(conn: AsyncConnection | AsyncSession, values: dict[str, Any]) -> None:
    stmt = insert(C).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[C.standard_id, C.code],
        set_={
            "text": stmt.excluded.text,
            "sector": stmt.excluded.sector,
            "sort_order": stmt.excluded.sort_order,
        },
    )
    await conn.execute(stmt)


async def set_superseded(conn: AsyncConnection | AsyncSession, code: str, newer: str) -> None:
    newer_id = select(S.id).where(S.code == newer).scalar_subquery()
    await conn.execute(update(S).where(S.code == code).values(superseded_by_id=newer_id))
