"""responsibility over HTTP (routes added by the responsibility work)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
