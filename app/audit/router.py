"""audit over HTTP (routes added by the audit work)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
