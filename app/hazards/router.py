"""hazards over HTTP (routes added by the hazards work)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
