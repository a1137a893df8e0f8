"""criteria over HTTP (routes added by the criteria work)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
