"""events over HTTP (routes added by the events work)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
