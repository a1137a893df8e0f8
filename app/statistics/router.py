"""Statistics, assessments, import jobs and templates over HTTP (included by app/api.py)."""

from __future__ import annotations

from fastapi import APIRouter

from app.statistics.assessments.router import router as assessments
from app.statistics.figures.router import router as statistics
from app.statistics.imports.router import router as import_jobs
from app.statistics.imports.router import templates_router as import_templates
from app.statistics.reports.router import router as reports

# included one by one by app/api.py (each level of inclusion costs every request a route walk)
routers: tuple[APIRouter, ...] = (statistics, assessments, reports, import_jobs, import_templates)
