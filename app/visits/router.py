"""visits over HTTP (routes added by the visits work)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
