"""The URL map: one include line per domain."""

from __future__ import annotations

from fastapi import APIRouter

from app.departments.router import router as departments
from app.enterprises.router import router as enterprises
from app.reference.router import router as reference

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(reference)
api_router.include_router(departments)
api_router.include_router(enterprises)
