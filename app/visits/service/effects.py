"""What each enforcement document does to the linked hazards and the unit."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.config import Settings
from app.enterprises import main_responsible
from app.enterprises.schemas import Contact
from app.enterprises.service import apply_status
from app.hazards import service as hazards
from app.hazards.schemas import (
    HazardAccept,
    HazardEscalate,
    HazardListingCreate,
    HazardOrderRectification,
    HazardRejectAcceptance,
    HazardReportMajor,
)
from app.models.enterprise import Enterprise
from app.models.visit import EnforcementDocument
from app.visits.enums import DocumentKind
from app.visits.record_schemas import DocumentCreate

_ESCALATION = {
    DocumentKind.penalty_decision: "fine",
    DocumentKind.suspension_decision: "suspension",
    DocumentKind.closure_request: "closure_request",
}


async def apply_effects(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    doc: EnforcementDocument,
    ent: Enterprise,
    data: DocumentCreate,
) -> list[dict[str, Any]]:
    """Apply the document in the caller's transaction; any refusal (409/422 from the hazard
    rules) rolls the whole document back. Returns what changed, for the audit row."""
    kind, number = DocumentKind(doc.kind), doc.number
    text = doc.content or doc.legal_basis
    common: dict[str, Any] = {"document_numbers": [number], "comment": f"{kind.value} {number}"}
    effects: list[dict[str, Any]] = []
    for hazard_id in doc.hazard_ids:
        if kind is DocumentKind.rectification_order:
            assert doc.due_on is not None
            person = data.responsible_person or Contact.model_validate(
                await main_responsible.holder_on(session, ent, doc.issued_on) or {"name": ent.name}
            )
            read = await hazards.order_rectification(
                session,
                principal,
                hazard_id,
                HazardOrderRectification(
                    responsible_person=person,
                    deadline=doc.due_on,
                    measures=text,
                    order_document_number=number,
                    **common,
                ),
                None,
            )
        elif kind is DocumentKind.on_site_decision:
            read = await hazards.report_major(
                session,
                principal,
                hazard_id,
                HazardReportMajor(
                    production_order=data.production_order,
                    production_order_document=number,
                    **common,
                ),
                None,
            )
        elif kind is DocumentKind.re_check_opinion:
            if doc.outcome == "passed":
                read = await hazards.accept_hazard(
                    session,
                    principal,
                    hazard_id,
                    HazardAccept(opinion=text, accepted_on=doc.issued_on, **common),
                    None,
                )
            else:
                read = await hazards.reject_acceptance(
                    session,
                    principal,
                    hazard_id,
                    HazardRejectAcceptance(reason=text, deadline=doc.due_on, **common),
                    None,
                )
        elif kind is DocumentKind.listing_notice:
            read = await hazards.list_hazard(
                session,
                settings,
                principal,
                hazard_id,
                HazardListingCreate(
                    level=doc.listing_level,
                    issuing_unit=doc.issuer_name,
                    notice_number=number,
                    plan_due_on=doc.due_on,
                    **common,
                ),
                None,
            )
        else:
            read = await hazards.escalate_hazard(
                session,
                settings,
                principal,
                hazard_id,
                HazardEscalate(
                    measure=_ESCALATION[kind],
                    grounds=data.grounds,
                    document_number=number,
                    reason=text,
                    fine_amount=doc.amount,
                    **common,
                ),
                None,
            )
        effects.append({"hazard_id": str(hazard_id), "status": read.status})
    if kind is DocumentKind.suspension_decision and not doc.hazard_ids:
        await apply_status(session, principal, ent, "suspend", text, number)
    if kind in (DocumentKind.suspension_decision, DocumentKind.closure_request):
        effects.append({"enterprise_id": str(ent.id), "status": ent.status})
    return effects
