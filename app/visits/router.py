"""Visits over HTTP: the routers of the visits domain, in the order app/api.py includes them."""

from __future__ import annotations

from fastapi import APIRouter

from app.visits.routes.campaigns import router as campaigns
from app.visits.routes.checklists import router as checklists
from app.visits.routes.conduct import router as conduct
from app.visits.routes.documents import router as documents
from app.visits.routes.record import router as record
from app.visits.routes.visits import router as visits

# included one by one by app/api.py (each level of inclusion costs every request a route walk)
routers: tuple[APIRouter, ...] = (visits, conduct, record, checklists, documents, campaigns)
