"""webhook tables (filled in by the webhook work)."""

from __future__ import annotations
