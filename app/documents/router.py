"""Printable documents (PDF) over HTTP.

Each route sits beside the JSON read of the same record and is scoped exactly like it (same
permission, same 404 outside the caller's scope). ``Accept: application/pdf`` on the JSON read
URL is answered by the same route (``PdfNegotiationMiddleware`` in ``app.core.pdf_http``).
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Request, Response

from app.auth.dependencies import PrincipalDep, SessionDep, SettingsDep
from app.config import Settings
from app.core import request_context
from app.core.pdf import PDF_MEDIA_TYPE, PrintDocument, render_pdf_async
from app.core.pdf_http import PDF_RESPONSES, Rewrite
from app.core.problems import problems
from app.documents import service
from app.documents.service.common import pdf_disposition
from app.public_reports import ratelimit

router = APIRouter()
NO_STORE = "no-store"
_ID = r"[0-9a-fA-F-]{36}"
_V1 = "/api/v1"
# JSON read URL → its PDF route, for `Accept: application/pdf` (PdfNegotiationMiddleware)
PDF_REWRITES: tuple[Rewrite, ...] = (
    (re.compile(rf"({_V1}/enforcement-documents/{_ID})"), r"\1.pdf"),
    (re.compile(rf"({_V1}/inspection-visits/{_ID}/onsite-record)"), r"\1.pdf"),
    (re.compile(rf"({_V1}/public-reports/receipt/[0-9A-Za-z]{{1,32}})"), r"\1.pdf"),
    (re.compile(rf"({_V1}/public-reports/{_ID})"), r"\1/receipt.pdf"),
)


async def _pdf(
    document: PrintDocument, stem: str, stem_zh: str, *, cache: str = "private, no-cache"
) -> Response:
    body = await render_pdf_async(document)
    return Response(
        content=body,
        media_type=PDF_MEDIA_TYPE,
        headers={"Content-Disposition": pdf_disposition(stem, stem_zh), "Cache-Control": cache},
    )


@router.get(
    "/enforcement-documents/{document_id}.pdf",
    tags=["enforcement-documents"],
    response_class=Response,
    responses={**PDF_RESPONSES, **problems(403, 404)},
)
async def print_enforcement_document(
    document_id: uuid.UUID, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> Response:
    """The enforcement document (执法文书) printed in the official layout: issuing unit, title of
    its kind, document number (文号), the unit and its main responsible person on the issue
    date, the facts (linked hazards), the decision with its legal basis, deadline and amount,
    the inspectors' and the receiving head's signature lines and the seal area. Every kind:
    rectification order, on-site decision, re-check opinion, penalty, suspension, closure
    request, listing notice. Also `GET /enforcement-documents/{document_id}` with
    `Accept: application/pdf`."""
    printed, doc = await service.enforcement_document(session, settings, principal, document_id)
    return await _pdf(printed, f"enforcement-document-{doc.id}", f"{printed.title}-{doc.number}")


@router.get(
    "/inspection-visits/{visit_id}/onsite-record.pdf",
    tags=["inspection-visits"],
    response_class=Response,
    responses={**PDF_RESPONSES, **problems(403, 404)},
)
async def print_onsite_record(
    visit_id: uuid.UUID, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> Response:
    """The on-site record (现场检查记录, Art 68) printed: unit, place and time, inspectors with
    their certificate numbers, what was inspected, problems (failed checklist items included),
    handling, every signature with its image, or the head's recorded refusal. Also
    `GET /inspection-visits/{visit_id}/onsite-record` with `Accept: application/pdf`."""
    printed, _ = await service.onsite_record(session, settings, principal, visit_id)
    return await _pdf(printed, f"onsite-record-{visit_id}", f"现场检查记录-{visit_id}")


@router.get(
    "/hazards/{hazard_id}/treatment-plan.pdf",
    tags=["hazards"],
    response_class=Response,
    responses={**PDF_RESPONSES, **problems(404, 409)},
)
async def print_treatment_plan(
    hazard_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Response:
    """A major hazard's treatment plan (重大事故隐患治理方案) printed with its six elements, the
    hazard, its supervised listing and the unit. 409 `hazard_not_major` for a general hazard,
    `treatment_plan_missing` before any element is written."""
    printed, hz = await service.treatment_plan(session, principal, hazard_id)
    return await _pdf(printed, f"treatment-plan-{hz.code}", f"重大事故隐患治理方案-{hz.code}")


@router.get(
    "/public-reports/{report_id}/receipt.pdf",
    tags=["public-reports"],
    response_class=Response,
    responses={**PDF_RESPONSES, **problems(403, 404)},
)
async def print_public_report_receipt(
    report_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Response:
    """The receipt (举报受理回执) for the handling unit's file: code, channel, subject, dates,
    handling unit, deadline, status, content; never the reporter's identity. Also
    `GET /public-reports/{report_id}` with `Accept: application/pdf`."""
    printed, report = await service.handler_receipt(session, principal, report_id)
    return await _pdf(
        printed, f"receipt-{report.receipt_code}", f"举报受理回执-{report.receipt_code}"
    )


async def _receipt_rate_limit(request: Request) -> None:
    settings: Settings = request.app.state.settings
    await ratelimit.enforce(
        request.app.state.sessionmaker,
        settings,
        ratelimit.RECEIPT,
        request_context.current.get().client_address,
    )


@router.get(
    "/public-reports/receipt/{receipt_code}.pdf",
    tags=["public-reports"],
    response_class=Response,
    responses={**PDF_RESPONSES, **problems(404, 429)},
    openapi_extra={"security": []},
    dependencies=[Depends(_receipt_rate_limit)],
)
async def print_public_report_receipt_for_reporter(
    receipt_code: Annotated[str, Path(max_length=32)],
    session: SessionDep,
    receipt_secret: Annotated[
        str,
        Header(
            alias="X-Receipt-Secret",
            max_length=100,
            description="The secret given with the receipt",
        ),
    ],
) -> Response:
    """The reporter's printable receipt (举报受理回执), no account needed: the same facts as the
    receipt lookup (status, public reply, reward notice). An unknown code and a wrong secret
    get the same 404. Also `GET /public-reports/receipt/{receipt_code}` with
    `Accept: application/pdf`."""
    printed = await service.reporter_receipt(session, receipt_code, receipt_secret)
    return await _pdf(
        printed, f"receipt-{printed.reference}", f"举报受理回执-{printed.reference}", cache=NO_STORE
    )
