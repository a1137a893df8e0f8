"""api_keys over HTTP (routes added by the api_keys work)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
