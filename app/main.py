"""Application factory."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from app.api import include_api
from app.auth.cache import PrincipalCache
from app.auth.tokens import TokenVerifier
from app.config import Settings, get_settings
from app.core import metrics
from app.core.export_http import ExportNegotiationMiddleware
from app.core.idempotency import IdempotencyMiddleware
from app.core.logs import configure_logging
from app.core.middleware import RequestContextMiddleware
from app.core.pdf_http import PdfNegotiationMiddleware
from app.core.problems import install_integrity_handler, install_problem_handlers
from app.core.resilience import TransactionRetryMiddleware
from app.db import create_engine, create_read_sessionmaker, create_sessionmaker
from app.documents.router import PDF_REWRITES
from app.system.router import router as system_router

DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"

DESCRIPTION = """
Anjian (安监) is the system of record for work-safety supervision (安全生产监管): hazards
(事故隐患), responsibility assignments (责任落实) and inspection visits (检查), with the
enterprises, regions, departments, people, evidence, events and statistics around them.

Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`.
Every POST accepts `Idempotency-Key`; every resource carries `version` (ETag / If-Match).
"""


def _operation_id(route: APIRoute) -> str:
    return route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings)
        app.state.engine = engine
        metrics.instrument_pool(engine, settings.db_pool_size, settings.db_max_overflow)
        app.state.sessionmaker = create_sessionmaker(engine)
        app.state.read_sessionmaker = create_read_sessionmaker(engine)
        # Move start-up objects (routes, schemas, models) out of the collector's sight, so
        # full collections under load stay short (tail latency).
        gc.collect()
        gc.freeze()
        yield
        await engine.dispose()
        metrics.release_pool(settings.db_pool_size, settings.db_max_overflow)

    app = FastAPI(
        title="Anjian 安监 API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=_operation_id,
        separate_input_output_schemas=True,
    )
    app.state.settings = settings
    app.state.token_verifier = TokenVerifier(settings)
    app.state.principal_cache = PrincipalCache(settings.principal_cache_seconds)
    install_problem_handlers(app)
    install_integrity_handler(app)
    # Plain list URLs asking for CSV/XLSX (Accept or format=) are answered by their /export.
    app.add_middleware(ExportNegotiationMiddleware)
    # JSON read URLs asking for application/pdf are answered by their printable document.
    app.add_middleware(PdfNegotiationMiddleware, rewrites=PDF_REWRITES)
    # Inside the idempotency claim: a run again keeps the claim (and its fence).
    app.add_middleware(TransactionRetryMiddleware, attempts=settings.transaction_attempts)
    app.add_middleware(
        IdempotencyMiddleware,
        ttl_hours=settings.idempotency_ttl_hours,
        lock_seconds=settings.idempotency_lock_seconds,
    )
    app.add_middleware(
        RequestContextMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_attachment_bytes,
        trust_forwarded_for=settings.trust_forwarded_for,
        unavailable_retry_after=settings.unavailable_retry_after_seconds,
    )

    app.include_router(system_router)
    include_api(app)
    _install_docs(app)
    return app


def _install_docs(app: FastAPI) -> None:
    """Swagger UI and ReDoc with their assets served locally (air-gapped networks)."""
    app.mount("/docs-assets", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Anjian API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title="Anjian API",
            redoc_js_url="/docs-assets/redoc.standalone.js",
            redoc_favicon_url="/docs-assets/favicon.png",
            with_google_fonts=False,
        )
