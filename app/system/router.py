"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.system import service

router = APIRouter(tags=["system"])


class Health(BaseModel):
    status: str
    detail: str | None = None


@router.get("/healthz", response_model=Health)
async def get_health() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses={503: {"model": Health}})
async def get_readiness(request: Request) -> Health | JSONResponse:
    """The database answers and its schema is at the migration head."""
    ok, detail = await service.readiness(request.app.state.sessionmaker)
    if ok:
        return Health(status="ok")
    return JSONResponse({"status": "unavailable", "detail": detail}, status_code=503)
