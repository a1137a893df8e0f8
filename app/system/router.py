"""Liveness, readiness and the Prometheus metrics."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.config import Settings
from app.core import metrics
from app.core.problems import PROBLEM_MEDIA_TYPE, Problem, problem_response
from app.system import service

router = APIRouter(tags=["system"])


class Health(BaseModel):
    status: str
    detail: str | None = None


@router.get("/healthz", response_model=Health)
async def get_health() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Health,
    responses={
        503: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}, "description": "Not ready"}
    },
)
async def get_readiness(request: Request) -> Health | JSONResponse:
    """The database answers and its schema is at the migration head."""
    ok, detail = await service.readiness(request.app.state.sessionmaker)
    if ok:
        return Health(status="ok")
    return problem_response(
        503, "not_ready", detail_en=detail, detail_zh=detail, instance="/readyz"
    )


@router.get("/metrics", include_in_schema=False)
async def get_metrics(request: Request) -> Response:
    """Prometheus text format, for a scraper holding ``ANJIAN_METRICS_TOKEN`` (404 when unset)."""
    settings: Settings = request.app.state.settings
    if not settings.metrics_token:
        return problem_response(404, "not_found", detail_en="Not found", detail_zh="未找到")
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        presented.strip().encode(), settings.metrics_token.encode()
    ):
        return problem_response(
            401,
            "metrics_token_required",
            detail_en="GET /metrics needs the metrics bearer token",
            detail_zh="访问 /metrics 需提供指标令牌（Bearer）",
            instance="/metrics",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    backlog = await service.backlog_metrics(request.app.state.read_sessionmaker)
    return Response(metrics.render(backlog), media_type=metrics.CONTENT_TYPE)
