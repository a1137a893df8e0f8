"""The application (and its OpenAPI document) is built without a database; connecting needs one."""

from __future__ import annotations

import pytest

from app.config import Settings
from app.db import create_engine
from app.main import create_app


def test_app_builds_without_a_database_url() -> None:
    settings = Settings(database_url="")
    assert "/api/v1/hazards" in create_app(settings).openapi()["paths"]
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_engine(settings)
