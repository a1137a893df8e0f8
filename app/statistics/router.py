"""Statistics, assessments, import jobs and templates over HTTP (one include in app/api.py)."""

from __future__ import annotations

from fastapi import APIRouter

from app.statistics.assessments.router import router as assessments
from app.statistics.figures.router import router as statistics
from app.statistics.imports.router import router as import_jobs
from app.statistics.imports.router import templates_router as import_templates
from app.statistics.reports.router import router as reports

router = APIRouter()
router.include_router(statistics)
router.include_router(assessments)
router.include_router(reports)
router.include_router(import_jobs)
router.include_router(import_templates)
