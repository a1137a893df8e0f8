"""Application factory."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from app.api import include_api
from app.auth.cache import PrincipalCache
from app.auth.tokens import TokenVerifier
from app.config import Settings, get_settings
from app.core import metrics
from app.core.export_http import ExportNegotiationMiddleware
from app.core.idempotency import IdempotencyMiddleware
from app.core.logs import configure_logging
from app.core.middleware import RequestContextMiddleware
from app.core.openapi import install_openapi
from app.core.pdf_http import PdfNegotiationMiddleware
from app.core.problems import install_integrity_handler, install_problem_handlers
from app.core.resilience import TransactionRetryMiddleware
from app.core.routing import install_method_guards
from app.core.strict_bodies import install_strict_bodies
from app.db import create_engine, create_read_sessionmaker, create_sessionmaker
from app.documents.router import PDF_REWRITES
from app.system.router import router as system_router

DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"

DESCRIPTION = """
Anjian (安监 API) is the system of record for work-safety supervision (安全生产监管): hazards
(事故隐患), responsibility assignments (责任落实) and inspection visits (检查), with the
enterprises, regions, departments, people, evidence, events and statistics around them.

Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`.
Every POST accepts `Idempotency-Key`; every resource carries `version` (ETag / If-Match).
Authenticate with `Authorization: Bearer <JWT>` or `X-API-Key`. Large responses are gzipped
when the client sends `Accept-Encoding: gzip`.
"""
CONTACT = {"name": "Anjian maintainers (安监平台运维)", "url": "https://anjian.gov.cn/"}
# Relative: the document is served by the API itself; generated clients take a base URL.
# gzip level 1 for bodies of 4 KB and more (lists, exports, this document): a 50-row page of
# 36 KB becomes 3.6 KB for less CPU than json.loads of the same page; level 6 saves 9 % more
# bytes for twice the CPU. Single resources stay plain; compressed files are left alone.
GZIP_LEVEL = 1
GZIP_MINIMUM_BYTES = 4096
GZIP_EXCLUDED = (
    *DEFAULT_EXCLUDED_CONTENT_TYPES,
    "application/pdf",
    "application/octet-stream",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
SERVERS = [{"url": "/", "description": "The server that serves this document"}]


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
        title="Anjian API",  # ASCII: generators derive package names from it
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=_operation_id,
        separate_input_output_schemas=False,
        contact=CONTACT,
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
    # Inside the request context (its headers and 500s), outside the idempotency store (which
    # keeps and replays the identity body to callers that may not accept gzip).
    app.add_middleware(
        GZipMiddleware,
        minimum_size=GZIP_MINIMUM_BYTES,
        compresslevel=GZIP_LEVEL,
        exclude_content_types=GZIP_EXCLUDED,
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
    install_strict_bodies()
    install_method_guards(app)
    install_openapi(app, servers=SERVERS)
    _install_docs(app)
    return app


REDOC_JS_URL = "/docs-local/redoc.standalone.js"
# ReDoc's sidebar shows a logo it loads from Redocly's CDN: served with the local favicon instead.
_REDOC_OUTSIDE_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"


@lru_cache(maxsize=1)
def _redoc_js() -> bytes:
    return (
        (DOCS_ASSETS / "redoc.standalone.js")
        .read_bytes()
        .replace(_REDOC_OUTSIDE_LOGO, b"/docs-assets/favicon.png")
    )


def _install_docs(app: FastAPI) -> None:
    """Swagger UI and ReDoc with their assets served locally (air-gapped networks): no CDN, no
    fonts, no logo from Redocly's CDN, no Swagger validator."""
    app.mount("/docs-assets", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    @app.get(REDOC_JS_URL, include_in_schema=False)
    async def redoc_js() -> Response:
        return Response(
            _redoc_js(),
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Anjian API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon.png",
            # no call to the public validator.swagger.io (air-gapped networks)
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title="Anjian API",
            redoc_js_url=REDOC_JS_URL,
            redoc_favicon_url="/docs-assets/favicon.png",
            with_google_fonts=False,
        )
