"""Checklist templates: list, read, create (a new edition supersedes the current one)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import diff, record_audit
from app.auth.principal import Principal
from app.auth.scope import require
from app.config import Settings
from app.core.errors import NotFound, Unprocessable
from app.core.ids import new_id
from app.core.listing import ListSpec, run_list
from app.events.outbox import emit_event
from app.models.reference import CriteriaClause
from app.models.visit import ChecklistItem, ChecklistTemplate
from app.visits.checklist_schemas import (
    ChecklistTemplateCreate,
    ChecklistTemplateFilter,
    ChecklistTemplateRead,
)

T, It = ChecklistTemplate, ChecklistItem
RESOURCE = "checklist_template"
_COLUMNS: tuple[Any, ...] = (
    T.id,
    T.code,
    T.edition,
    T.sector,
    T.title,
    T.description,
    T.current,
    T.created_at,
)
LIST_SPEC = ListSpec(
    RESOURCE, {"code": T.code, "edition": T.edition, "id": T.id}, "code,edition", T.id
)


async def _items(
    session: AsyncSession, template_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    out: dict[uuid.UUID, list[dict[str, Any]]] = {t: [] for t in template_ids}
    if template_ids:
        stmt = (
            select(
                It.id,
                It.template_id,
                It.code,
                It.text,
                It.legal_basis,
                It.criteria_clause_code,
                It.sort_order,
            )
            .where(It.template_id.in_(template_ids))
            .order_by(It.sort_order, It.code)
        )
        for row in (await session.execute(stmt)).mappings():
            out[row["template_id"]].append(dict(row))
    return out


async def _read(session: AsyncSession, rows: list[dict[str, Any]]) -> list[ChecklistTemplateRead]:
    items = await _items(session, [r["id"] for r in rows])
    return [ChecklistTemplateRead.model_validate({**r, "items": items[r["id"]]}) for r in rows]


async def list_templates(
    session: AsyncSession, settings: Settings, principal: Principal, query: ChecklistTemplateFilter
) -> tuple[list[ChecklistTemplateRead], str | None]:
    require(principal, "visit:read")
    stmt = select(*_COLUMNS)
    if query.sector:
        stmt = stmt.where(T.sector.in_([s.value for s in query.sector]))
    if query.code:
        stmt = stmt.where(T.code == query.code)
    if query.current is not None:
        stmt = stmt.where(T.current.is_(query.current))
    listed = await run_list(
        session,
        settings,
        LIST_SPEC,
        stmt,
        filters=query.model_dump(exclude={"limit", "cursor"}, mode="json"),
        sort=None,
        cursor=query.cursor,
        limit=query.limit,
    )
    rows, next_cursor = listed.rows, listed.next_cursor
    return await _read(session, rows), next_cursor


async def get_template(
    session: AsyncSession, principal: Principal, template_id: uuid.UUID
) -> ChecklistTemplateRead:
    require(principal, "visit:read")
    row = (await session.execute(select(*_COLUMNS).where(T.id == template_id))).mappings().first()
    if row is None:
        raise NotFound("Checklist template not found", "检查表不存在", code="checklist_not_found")
    return (await _read(session, [dict(row)]))[0]


async def _check_clauses(session: AsyncSession, data: ChecklistTemplateCreate) -> None:
    wanted = {i.criteria_clause_code for i in data.items if i.criteria_clause_code}
    known = (
        set(
            (
                await session.execute(
                    select(CriteriaClause.code).where(CriteriaClause.code.in_(wanted))
                )
            ).scalars()
        )
        if wanted
        else set()
    )
    for n, item in enumerate(data.items):
        if item.criteria_clause_code and item.criteria_clause_code not in known:
            raise Unprocessable.field(
                ["body", "items", n, "criteria_clause_code"],
                "No such criteria clause",
                "clause_not_found",
                "判定标准条款不存在",
                code="clause_not_found",
            )
    codes = [i.code for i in data.items]
    if len(set(codes)) != len(codes):
        raise Unprocessable.field(
            ["body", "items"],
            "Item codes must be unique",
            "duplicate_item_code",
            "检查项编号重复",
            code="duplicate_item_code",
        )


async def create_template(
    session: AsyncSession, principal: Principal, data: ChecklistTemplateCreate
) -> ChecklistTemplateRead:
    require(principal, "checklist:write")
    await _check_clauses(session, data)
    # Serialise editions of one code: lock the current rows of that code.
    await session.execute(select(T.id).where(T.code == data.code).with_for_update())
    last = await session.execute(select(func.max(T.edition)).where(T.code == data.code))
    edition = (last.scalar_one() or 0) + 1
    await session.execute(
        update(T).where(T.code == data.code, T.current.is_(True)).values(current=False)
    )
    template = T(
        id=new_id(),
        code=data.code,
        edition=edition,
        sector=data.sector.value,
        title=data.title,
        description=data.description,
        current=True,
    )
    session.add(template)
    await session.flush()
    for order, item in enumerate(data.items):
        session.add(It(id=new_id(), template_id=template.id, sort_order=order, **item.model_dump()))
    await session.flush()
    payload = {**data.model_dump(mode="json"), "edition": edition}
    record_audit(
        session,
        principal,
        action="create",
        resource_type=RESOURCE,
        resource_id=template.id,
        changes=diff(None, payload),
    )
    emit_event(
        session,
        "checklist_template.created",
        resource_type=RESOURCE,
        resource_id=template.id,
        data={"code": data.code, "edition": edition, "sector": data.sector.value},
    )
    return await get_template(session, principal, template.id)
