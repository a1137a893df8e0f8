"""Visits over HTTP: one router that includes the sub-routers of the visits domain."""

from __future__ import annotations

from fastapi import APIRouter

from app.visits.routes.campaigns import router as campaigns
from app.visits.routes.checklists import router as checklists
from app.visits.routes.conduct import router as conduct
from app.visits.routes.documents import router as documents
from app.visits.routes.record import router as record
from app.visits.routes.visits import router as visits

router = APIRouter()
router.include_router(visits)
router.include_router(conduct)
router.include_router(record)
router.include_router(checklists)
router.include_router(documents)
router.include_router(campaigns)
