"""attachments over HTTP (routes added by the attachments work)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
