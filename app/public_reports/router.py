"""Public reports over HTTP: the unauthenticated intake and receipt lookup, and the handlers'
reads. Handling actions and routing rules are in sibling routers included here."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, Path, Query, Request, Response, status

from app.auth.dependencies import PrincipalDep, SessionDep, SettingsDep
from app.config import Settings
from app.core import request_context
from app.core.errors import BadRequest, UnsupportedMediaType
from app.core.problems import problems
from app.public_reports import intake, ratelimit, service
from app.public_reports.crypto import check_key_settings
from app.public_reports.handling_router import router as handling_router
from app.public_reports.photos_router import router as photos_router
from app.public_reports.rules_router import router as rules_router
from app.public_reports.schemas import (
    PublicReportCreate,
    PublicReportFilter,
    PublicReportPage,
    PublicReportRead,
    PublicReportReceipt,
    ReceiptStatus,
    ReporterRead,
    ReportEventList,
)


@asynccontextmanager
async def _startup_check(app: FastAPI) -> AsyncIterator[None]:
    """Refuse to start with a malformed key, or the development key in production."""
    settings: Settings = app.state.settings
    check_key_settings(settings)
    yield


router = APIRouter(lifespan=_startup_check)
public = APIRouter(prefix="/public-reports", tags=["public-reports"])
NO_STORE = {"Cache-Control": "no-store"}


def _limiter(bucket: str) -> Callable[[Request], Awaitable[None]]:
    async def enforce(request: Request) -> None:
        settings: Settings = request.app.state.settings
        await ratelimit.enforce(
            request.app.state.sessionmaker,
            settings,
            bucket,
            request_context.current.get().client_address,
        )

    return enforce


async def _json_only(
    content_type: Annotated[
        str | None, Header(alias="Content-Type", include_in_schema=False)
    ] = None,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", include_in_schema=False)
    ] = None,
) -> None:
    if idempotency_key is not None:
        # A stored response would hold the receipt secret in clear, shared by every anonymous
        # caller: the public intake does not take Idempotency-Key.
        raise BadRequest(
            "The public intake does not accept Idempotency-Key",
            "公众举报接口不接受 Idempotency-Key",
            code="idempotency_key_not_accepted",
        )
    if not (content_type or "").lower().startswith("application/json"):
        raise UnsupportedMediaType(
            "Send the report as application/json",
            "请以 application/json 格式提交举报",
            code="unsupported_media_type",
        )


@public.post(
    "",
    response_model=PublicReportReceipt,
    status_code=status.HTTP_201_CREATED,
    responses=problems(413, 415, 429),
    openapi_extra={"security": []},
    dependencies=[Depends(_limiter(ratelimit.INTAKE)), Depends(_json_only)],
)
async def submit_public_report(
    data: PublicReportCreate, response: Response, session: SessionDep, settings: SettingsDep
) -> PublicReportReceipt:
    """Report to the authorities (举报), no account needed. Anonymous, or with the reporter's
    name and contact (encrypted, seen only by the handling unit). Answers with a receipt code
    and secret — shown once — to follow the case and claim a reward. Rate-limited per address;
    a report of the same unit or place within the configured period is linked, not refused."""
    receipt = await intake.submit_report(session, settings, data)
    response.headers.update(NO_STORE)
    response.headers["Location"] = f"/api/v1/public-reports/receipt/{receipt.receipt_code}"
    return receipt


@public.get(
    "/receipt/{receipt_code}",
    response_model=ReceiptStatus,
    responses=problems(404, 429),
    openapi_extra={"security": []},
    dependencies=[Depends(_limiter(ratelimit.RECEIPT))],
)
async def get_public_report_receipt(
    receipt_code: Annotated[str, Path(max_length=32)],
    response: Response,
    session: SessionDep,
    receipt_secret: Annotated[
        str,
        Header(
            alias="X-Receipt-Secret",
            max_length=100,
            description="The secret given with the receipt",
        ),
    ],
) -> ReceiptStatus:
    """Follow a report with its receipt: status, public reply and reward notice only. An
    unknown code and a wrong secret get the same 404."""
    result = await intake.lookup_receipt(session, receipt_code, receipt_secret)
    response.headers.update(NO_STORE)
    return result


@public.get("", response_model=PublicReportPage, responses=problems(403))
async def list_public_reports(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[PublicReportFilter, Query()],
) -> PublicReportPage:
    """Reports the caller handles or oversees (never the reporter); `overdue=true` lists those
    past their deadline to close or to reply."""
    return await service.list_reports(session, settings, principal, query)


@public.get("/{report_id}", response_model=PublicReportRead, responses=problems(403, 404))
async def get_public_report(
    report_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep
) -> PublicReportRead:
    report = await service.get_report(session, principal, report_id)
    response.headers["ETag"] = f'"{report.version}"'
    return report


@public.get("/{report_id}/history", response_model=ReportEventList, responses=problems(403, 404))
async def list_public_report_history(
    report_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> ReportEventList:
    """The handling history: receipt, acceptance, every transfer (from and to), findings."""
    return ReportEventList(items=await service.report_history(session, principal, report_id))


@public.get("/{report_id}/reporter", response_model=ReporterRead, responses=problems(403, 404))
async def get_public_report_reporter(
    report_id: uuid.UUID,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> ReporterRead:
    """Who reported (举报人信息): only for the unit handling the report, with the permission
    `public_report:reporter_read`; every read is audited (`reporter_identity_read`)."""
    reporter = await service.read_reporter(session, settings, principal, report_id)
    response.headers.update(NO_STORE)
    return reporter


public.include_router(handling_router)
public.include_router(photos_router)
router.include_router(public)
router.include_router(rules_router)
