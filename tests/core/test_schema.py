"""Migrations and the committed OpenAPI schema."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from alembic import command
from alembic.script import ScriptDirectory

from app.config import Settings
from tests.conftest import alembic_config, create_database, drop_database

ROOT = Path(__file__).resolve().parents[2]


def test_one_migration_head() -> None:
    config = alembic_config("postgresql://unused/unused")
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


async def test_migration_round_trip_and_no_drift(server_url: str, worker_id_str: str) -> None:
    name = f"anjian_migr_{worker_id_str}"
    url = Settings(database_url=await create_database(server_url, name)).database_url
    try:
        config = alembic_config(url)
        await asyncio.to_thread(command.upgrade, config, "head")
        await asyncio.to_thread(command.downgrade, config, "base")
        await asyncio.to_thread(command.upgrade, config, "head")
        await asyncio.to_thread(command.check, config)  # raises on drift
    finally:
        await drop_database(server_url, name)


def test_committed_openapi_matches_served(openapi_schema: dict[str, Any]) -> None:
    served = openapi_schema
    committed = json.loads((ROOT / "openapi.json").read_text())
    assert committed == served, "openapi.json is stale: run `make openapi` and review the diff"


def test_operation_ids_and_problem_responses(openapi_schema: dict[str, Any]) -> None:
    schema = openapi_schema
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            assert op["operationId"].isidentifier(), (path, method)
            assert len(op.get("tags", [])) == 1, (path, method)
            for status, response in op["responses"].items():
                if status.startswith(("4", "5")):
                    assert "application/problem+json" in response.get("content", {}), (
                        path,
                        method,
                        status,
                    )
