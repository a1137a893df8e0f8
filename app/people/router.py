"""people over HTTP (routes added by the people work)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
