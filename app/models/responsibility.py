"""responsibility tables (filled in by the responsibility work)."""

from __future__ import annotations
