"""public_reports over HTTP (routes added by the public_reports work)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
