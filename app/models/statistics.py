"""statistics tables (filled in by the statistics work)."""

from __future__ import annotations
