"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

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
