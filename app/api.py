"""The URL map: one include line per domain."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from app.api_keys.router import router as api_keys
from app.attachments.router import router as attachments
from app.audit.router import router as audit
from app.clock.router import router as clock
from app.criteria.router import router as criteria
from app.departments.router import router as departments
from app.documents.router import router as documents
from app.enterprises.router import router as enterprises
from app.events.router import router as events
from app.hazards.router import router as hazards
from app.notifications.router import router as notifications
from app.people.router import router as people
from app.public_reports.router import router as public_reports
from app.reference.router import router as reference
from app.responsibility.router import router as responsibility
from app.statistics.router import routers as statistics
from app.visits.router import routers as visits

API_PREFIX = "/api/v1"
# Routes are matched in include order: the busiest areas (field apps and dashboards) come first.
ROUTERS: tuple[APIRouter, ...] = (
    documents,  # its `…/{id}.pdf` paths must match before the JSON reads' `…/{id}`
    hazards,
    *statistics,
    *visits,
    attachments,
    enterprises,
    responsibility,
    reference,
    departments,
    people,
    api_keys,
    audit,
    criteria,
    events,
    notifications,
    public_reports,
    clock,
)


def include_api(app: FastAPI) -> None:
    """Each domain's router straight under the application (not under one more router: FastAPI
    walks every level's routes on each request to find the match)."""
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
