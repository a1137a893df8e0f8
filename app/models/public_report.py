"""public_report tables (filled in by the public_report work)."""

from __future__ import annotations
