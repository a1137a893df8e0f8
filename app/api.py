"""The URL map: one include line per domain."""

from __future__ import annotations

from fastapi import APIRouter

from app.api_keys.router import router as api_keys
from app.attachments.router import router as attachments
from app.audit.router import router as audit
from app.criteria.router import router as criteria
from app.departments.router import router as departments
from app.enterprises.router import router as enterprises
from app.events.router import router as events
from app.hazards.router import router as hazards
from app.notifications.router import router as notifications
from app.people.router import router as people
from app.public_reports.router import router as public_reports
from app.reference.router import router as reference
from app.responsibility.router import router as responsibility
from app.statistics.router import router as statistics
from app.visits.router import router as visits

api_router = APIRouter(prefix="/api/v1")
# Routes are matched in include order: the busiest areas (field apps and dashboards) come first.
api_router.include_router(hazards)
api_router.include_router(statistics)
api_router.include_router(visits)
api_router.include_router(attachments)
api_router.include_router(enterprises)
api_router.include_router(responsibility)
api_router.include_router(reference)
api_router.include_router(departments)
api_router.include_router(people)
api_router.include_router(api_keys)
api_router.include_router(audit)
api_router.include_router(criteria)
api_router.include_router(events)
api_router.include_router(notifications)
api_router.include_router(public_reports)
