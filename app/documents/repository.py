"""What a printed document shows beyond the record the caller was allowed to read: the parties
(unit, issuing department, inspectors), the linked hazards and the signature images. Every
function here is called only after the scoped read of the record itself succeeded (a printed
document shows what the document names)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.attachment import Attachment
from app.models.enterprise import Enterprise
from app.models.hazard import Hazard
from app.models.reference import Department, Region
from app.models.visit import ChecklistItem, InspectionVisit, VisitItemResult, VisitMember


async def enterprise(session: AsyncSession, enterprise_id: uuid.UUID | None) -> Enterprise | None:
    return await session.get(Enterprise, enterprise_id) if enterprise_id else None


async def department_names(
    session: AsyncSession, ids: Sequence[uuid.UUID | None]
) -> dict[uuid.UUID, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = await session.execute(
        select(Department.id, Department.name).where(Department.id.in_(wanted))
    )
    return {r.id: r.name for r in rows}


async def region_name(session: AsyncSession, code: str) -> str | None:
    name: str | None = await session.scalar(select(Region.name).where(Region.code == code))
    return name


async def hazards(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Hazard]:
    if not ids:
        return []
    rows = (await session.execute(select(Hazard).where(Hazard.id.in_(list(ids))))).scalars()
    order = {hid: n for n, hid in enumerate(ids)}
    return sorted(rows, key=lambda h: order.get(h.id, 0))


async def visit(session: AsyncSession, visit_id: uuid.UUID | None) -> InspectionVisit | None:
    return await session.get(InspectionVisit, visit_id) if visit_id else None


async def members(session: AsyncSession, visit_id: uuid.UUID) -> list[VisitMember]:
    stmt = (
        select(VisitMember)
        .where(VisitMember.visit_id == visit_id)
        .order_by(VisitMember.sort_order, VisitMember.id)
    )
    return list((await session.execute(stmt)).scalars())


async def failed_items(session: AsyncSession, visit_id: uuid.UUID) -> list[dict[str, Any]]:
    stmt = (
        select(ChecklistItem.code, ChecklistItem.text, VisitItemResult.note)
        .join(ChecklistItem, ChecklistItem.id == VisitItemResult.item_id)
        .where(VisitItemResult.visit_id == visit_id, VisitItemResult.result == "fail")
        .order_by(ChecklistItem.code)
    )
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


async def storage_keys(
    session: AsyncSession, ids: Sequence[uuid.UUID | None]
) -> dict[uuid.UUID, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = await session.execute(
        select(Attachment.id, Attachment.storage_key).where(Attachment.id.in_(wanted))
    )
    return {r.id: r.storage_key for r in rows}
