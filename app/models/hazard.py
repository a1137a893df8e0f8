"""hazard tables (filled in by the hazard work)."""

from __future__ import annotations
