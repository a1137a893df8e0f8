"""Attachment queries: an attachment is visible exactly when its hazard or its visit is."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.hazards.repository import scope_predicate as hazard_scope
from app.models.attachment import Attachment
from app.models.hazard import Hazard, HazardEvent
from app.models.visit import InspectionVisit
from app.visits.repository import scope_predicate as visit_scope

A = Attachment
COLUMNS: tuple[Any, ...] = (
    A.id,
    A.hazard_id,
    A.hazard_event_id,
    A.visit_id,
    A.purpose,
    A.filename,
    A.content_type,
    A.size_bytes,
    A.sha256,
    A.storage_key,
    A.uploaded_by,
    A.uploaded_by_role,
    A.created_at,
)


def visible(principal: Principal) -> Select[Any]:
    V = InspectionVisit  # noqa: N806
    stmt: Select[Any] = (
        select(*COLUMNS)
        .outerjoin(Hazard, Hazard.id == A.hazard_id)
        .outerjoin(V, V.id == A.visit_id)
        .where(
            or_(
                and_(
                    A.hazard_id.is_not(None), Hazard.deleted_at.is_(None), hazard_scope(principal)
                ),
                and_(A.visit_id.is_not(None), V.deleted_at.is_(None), visit_scope(principal)),
            )
        )
    )
    return stmt


async def get_row(
    session: AsyncSession, principal: Principal, attachment_id: uuid.UUID
) -> dict[str, Any] | None:
    row = (
        (await session.execute(visible(principal).where(A.id == attachment_id))).mappings().first()
    )
    return dict(row) if row else None


async def of_hazard(
    session: AsyncSession,
    principal: Principal,
    hazard_id: uuid.UUID,
    hazard_event_id: uuid.UUID | None,
) -> list[dict[str, Any]]:
    stmt = visible(principal).where(A.hazard_id == hazard_id)
    if hazard_event_id is not None:
        stmt = stmt.where(A.hazard_event_id == hazard_event_id)
    stmt = stmt.order_by(A.created_at, A.id).limit(500)
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


async def of_visit(
    session: AsyncSession, principal: Principal, visit_id: uuid.UUID
) -> list[dict[str, Any]]:
    stmt = visible(principal).where(A.visit_id == visit_id).order_by(A.created_at, A.id).limit(500)
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


async def visit_attachment_ids(
    session: AsyncSession, visit_id: uuid.UUID, ids: list[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of ``ids`` are attachments of this visit."""
    if not ids:
        return set()
    stmt = select(A.id).where(A.visit_id == visit_id, A.id.in_(ids))
    return set((await session.execute(stmt)).scalars())


async def visible_hazard(
    session: AsyncSession, principal: Principal, hazard_id: uuid.UUID
) -> dict[str, Any] | None:
    stmt = select(Hazard.id, Hazard.region_code, Hazard.sectors, Hazard.enterprise_id).where(
        Hazard.id == hazard_id, Hazard.deleted_at.is_(None), hazard_scope(principal)
    )
    row = (await session.execute(stmt)).mappings().first()
    return dict(row) if row else None


async def event_hazard_id(session: AsyncSession, hazard_event_id: uuid.UUID) -> uuid.UUID | None:
    stmt = select(HazardEvent.hazard_id).where(HazardEvent.id == hazard_event_id)
    return (await session.execute(stmt)).scalar_one_or_none()
