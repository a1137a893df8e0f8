"""Enforcement documents (执法文书): issued with their effect on hazards and the unit."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import diff, record_audit
from app.auth.principal import Principal
from app.auth.scope import require, unit_scope
from app.config import Settings
from app.core.concurrency import check_version
from app.core.creation import ensure_same_create
from app.core.errors import Conflict, NotFound, Unprocessable
from app.core.ids import new_id
from app.core.listing import ListSpec, SyncView, run_list
from app.core.problems import register_constraint
from app.events.outbox import emit_event
from app.models.enterprise import Enterprise
from app.models.visit import EnforcementDocument
from app.visits import repository
from app.visits.enums import DocumentKind
from app.visits.record_schemas import DocumentCreate, DocumentFilter, DocumentRead, DocumentServe
from app.visits.service.effects import apply_effects

D = EnforcementDocument
RESOURCE = "enforcement_document"
_COLUMNS: tuple[Any, ...] = (
    D.id,
    D.kind,
    D.number,
    D.enterprise_id,
    D.region_code,
    D.visit_id,
    D.issuer_department_id,
    D.issuer_name,
    D.issued_on,
    D.served_on,
    D.legal_basis,
    D.content,
    D.amount,
    D.due_on,
    D.hazard_ids,
    D.outcome,
    D.listing_level,
    D.version,
    D.created_at,
    D.updated_at,
    D.deleted_at,
    D.sync_xid,
    D.sync_seq,
)
_FIELDS = (
    "kind",
    "number",
    "enterprise_id",
    "visit_id",
    "issuer_department_id",
    "issuer_name",
    "issued_on",
    "served_on",
    "legal_basis",
    "content",
    "amount",
    "due_on",
    "hazard_ids",
    "outcome",
    "listing_level",
)
LIST_SPEC = ListSpec(
    RESOURCE,
    {"issued_on": D.issued_on, "created_at": D.created_at, "id": D.id},
    "-issued_on",
    D.id,
    D.sync_xid,
    D.sync_seq,
)
_TAKEN = ("A document of this kind already has this number", "该类文书文号已存在")
register_constraint(
    "uq_enforcement_document_kind_number", 409, "enforcement_document_number_taken", *_TAKEN
)


def _visible(principal: Principal, include_deleted: bool = False) -> Select[Any]:
    stmt = select(*_COLUMNS).where(
        unit_scope(
            principal, region=D.region_code, sectors=D.sectors, enterprise_id=D.enterprise_id
        )
    )
    return stmt if include_deleted else stmt.where(D.deleted_at.is_(None))


async def get_document(
    session: AsyncSession, principal: Principal, document_id: uuid.UUID
) -> DocumentRead:
    require(principal, "enforcement:read")
    row = (await session.execute(_visible(principal).where(D.id == document_id))).mappings()
    found = row.first()
    if found is None:
        raise NotFound(
            "Enforcement document not found",
            "执法文书不存在",
            code="enforcement_document_not_found",
        )
    return DocumentRead.model_validate(dict(found))


async def list_documents(
    session: AsyncSession, settings: Settings, principal: Principal, query: DocumentFilter
) -> tuple[list[DocumentRead], str | None, list[dict[str, Any]]]:
    require(principal, "enforcement:read")
    scoped = _visible(principal, include_deleted=query.changed_since is not None)
    stmt = scoped
    if query.kind:
        stmt = stmt.where(D.kind.in_([k.value for k in query.kind]))
    if query.enterprise_id:
        stmt = stmt.where(D.enterprise_id == query.enterprise_id)
    if query.visit_id:
        stmt = stmt.where(D.visit_id == query.visit_id)
    if query.hazard_id:
        stmt = stmt.where(D.hazard_ids.contains([query.hazard_id]))
    if query.issued_from:
        stmt = stmt.where(D.issued_on >= query.issued_from)
    if query.issued_to:
        stmt = stmt.where(D.issued_on <= query.issued_to)
    listed = await run_list(
        session,
        settings,
        LIST_SPEC,
        stmt,
        filters=query.model_dump(exclude={"limit", "cursor", "changed_since"}, mode="json"),
        sort=None,
        cursor=query.cursor,
        limit=query.limit,
        changed_since=query.changed_since,
        view=SyncView(principal, scoped),
    )
    rows, next_cursor = listed.rows, listed.next_cursor
    return [DocumentRead.model_validate(r) for r in rows], next_cursor, listed.removed


def _need(condition: bool, field: str, en: str, zh: str, code: str) -> None:
    if not condition:
        raise Unprocessable.field(["body", field], en, code, zh, code=code)


def _check_kind(data: DocumentCreate) -> None:
    """What each kind must carry."""
    kind, linked = data.kind, bool(data.hazard_ids)
    if kind in (
        DocumentKind.rectification_order,
        DocumentKind.re_check_opinion,
        DocumentKind.closure_request,
        DocumentKind.listing_notice,
    ):
        _need(
            linked,
            "hazard_ids",
            "This document concerns hazards: link them",
            "该文书须关联隐患",
            "hazards_required",
        )
    if kind is DocumentKind.rectification_order:
        _need(
            data.due_on is not None,
            "due_on",
            "A rectification order sets a deadline",
            "责令限期整改须有整改期限",
            "due_on_required",
        )
    if kind is DocumentKind.on_site_decision:
        _need(
            bool(data.content),
            "content",
            "State the measures decided",
            "须写明现场处理措施",
            "content_required",
        )
        _need(
            not linked or data.production_order is not None,
            "production_order",
            "A decision on a major hazard states the stop ordered",
            "须写明停产停业范围",
            "production_order_required",
        )
    if kind is DocumentKind.re_check_opinion:
        _need(
            data.outcome is not None,
            "outcome",
            "A re-check opinion passes or fails",
            "复查意见须写明是否通过",
            "outcome_required",
        )
        _need(
            data.outcome != "failed" or bool(data.content),
            "content",
            "A failed re-check states the reasons",
            "复查不通过须说明理由",
            "content_required",
        )
    if kind is DocumentKind.penalty_decision:
        _need(
            data.amount is not None,
            "amount",
            "A penalty decision states the fine",
            "行政处罚决定须写明罚款金额",
            "amount_required",
        )
        _need(
            len(data.hazard_ids) <= 1,
            "hazard_ids",
            "A penalty decision concerns one hazard",
            "一份处罚决定只能关联一项隐患",
            "penalty_one_hazard",
        )
    if (
        kind
        in (
            DocumentKind.penalty_decision,
            DocumentKind.suspension_decision,
            DocumentKind.closure_request,
        )
        and linked
    ):
        _need(
            data.grounds is not None,
            "grounds",
            "State the grounds: overdue or refused",
            "须写明处置理由（逾期或拒不整改）",
            "grounds_required",
        )
    if kind is DocumentKind.listing_notice:
        _need(
            data.listing_level is not None,
            "listing_level",
            "A listing notice has a level",
            "挂牌督办须写明督办层级",
            "listing_level_required",
        )


async def _check_links(
    session: AsyncSession, principal: Principal, data: DocumentCreate, ent: Enterprise
) -> None:
    if data.visit_id is not None:
        visit = await repository.get_row(session, principal, data.visit_id)
        _need(
            visit is not None and visit["enterprise_id"] == ent.id,
            "visit_id",
            "No such visit at this unit",
            "该单位没有此检查记录",
            "visit_not_found",
        )
    found = await repository.hazards_brief(session, data.hazard_ids)
    for i, hazard_id in enumerate(data.hazard_ids):
        hazard = found.get(hazard_id)
        if hazard is None or hazard["enterprise_id"] != ent.id:
            raise Unprocessable.field(
                ["body", "hazard_ids", i],
                "No such hazard at this unit",
                "hazard_not_found",
                "该单位没有此隐患",
                code="hazard_not_found",
            )


async def create_document(
    session: AsyncSession, settings: Settings, principal: Principal, data: DocumentCreate
) -> tuple[DocumentRead, bool]:
    require(principal, "enforcement:write")
    payload = data.model_dump(exclude={"id", "grounds", "production_order", "responsible_person"})
    payload["issuer_department_id"] = data.issuer_department_id or principal.department_id
    payload["hazard_ids"] = list(dict.fromkeys(data.hazard_ids))
    if data.id is not None:
        existing = await session.get(D, data.id)
        if existing is not None:
            replayed = await get_document(session, principal, data.id)
            ensure_same_create(
                {f: getattr(existing, f) for f in _FIELDS},
                {k: v for k, v in payload.items() if k in data.model_fields_set},
            )
            return replayed, False
    ent = await repository.enterprise_in_scope(session, principal, data.enterprise_id)
    if ent is None:
        raise NotFound(
            "Enterprise not found in your scope",
            "生产经营单位不在您的管辖范围内",
            code="out_of_scope",
        )
    _check_kind(data)
    await _check_links(session, principal, data, ent)
    taken = await session.scalar(select(D.id).where(D.kind == data.kind, D.number == data.number))
    if taken is not None:
        raise Conflict(*_TAKEN, code="enforcement_document_number_taken")
    doc = D(
        id=data.id or new_id(),
        region_code=ent.region_code,
        sectors=list(ent.sectors),
        created_by=principal.subject,
        **payload,
    )
    session.add(doc)
    await session.flush()
    effects = await apply_effects(session, settings, principal, doc, ent, data)
    record_audit(
        session,
        principal,
        action="issue",
        resource_type=RESOURCE,
        resource_id=doc.id,
        changes={**diff(None, payload), "effects": effects},
        region_code=doc.region_code,
    )
    emit_event(
        session,
        "enforcement_document.issued",
        resource_type=RESOURCE,
        resource_id=doc.id,
        data={
            "version": doc.version,
            "kind": doc.kind,
            "number": doc.number,
            "hazard_ids": doc.hazard_ids,
            "effects": effects,
        },
        region_code=doc.region_code,
        sectors=list(doc.sectors),
        enterprise_id=doc.enterprise_id,
    )
    return await get_document(session, principal, doc.id), True


async def serve_document(
    session: AsyncSession,
    principal: Principal,
    document_id: uuid.UUID,
    data: DocumentServe,
    expected_version: int | None,
) -> DocumentRead:
    """Record service (送达) of a document issued without a service date."""
    require(principal, "enforcement:write")
    doc = (
        await session.execute(
            select(D)
            .where(
                D.id == document_id,
                D.deleted_at.is_(None),
                unit_scope(
                    principal,
                    region=D.region_code,
                    sectors=D.sectors,
                    enterprise_id=D.enterprise_id,
                ),
            )
            .with_for_update()
        )
    ).scalar_one_or_none()
    if doc is None:
        raise NotFound(
            "Enforcement document not found",
            "执法文书不存在",
            code="enforcement_document_not_found",
        )
    check_version(expected_version, doc.version)
    if doc.served_on is not None:
        raise Conflict(
            "The document has already been served", "该文书已送达", code="document_already_served"
        )
    if data.served_on < doc.issued_on:
        raise Unprocessable.field(
            ["body", "served_on"],
            "Served before it was issued",
            "served_before_issued",
            "送达日期早于签发日期",
            code="served_before_issued",
        )
    doc.served_on = data.served_on
    await session.flush()
    record_audit(
        session,
        principal,
        action="serve",
        resource_type=RESOURCE,
        resource_id=doc.id,
        changes={"served_on": {"old": None, "new": data.served_on.isoformat()}},
        region_code=doc.region_code,
    )
    emit_event(
        session,
        "enforcement_document.served",
        resource_type=RESOURCE,
        resource_id=doc.id,
        data={"version": doc.version, "kind": doc.kind, "served_on": data.served_on},
        region_code=doc.region_code,
        sectors=list(doc.sectors),
        enterprise_id=doc.enterprise_id,
    )
    return await get_document(session, principal, doc.id)
