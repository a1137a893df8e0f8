"""visit tables (filled in by the visit work)."""

from __future__ import annotations
