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
                    name = response["$ref"].removeprefix("#/components/responses/")
                    shared = schema["components"]["responses"][name]
                    assert shared["content"] == {
                        "application/problem+json": {
                            "schema": {"$ref": "#/components/schemas/Problem"}
                        }
                    }, (path, method, status)


def test_creates_with_a_client_id_declare_their_replay(openapi_schema: dict[str, Any]) -> None:
    """A create that takes a client `id` answers a repeat with 200: generated clients need it
    declared beside the 201."""
    schemas = openapi_schema["components"]["schemas"]
    replaying = []
    for path, operations in openapi_schema["paths"].items():
        op = operations.get("post")
        if op is None or "201" not in op["responses"]:
            continue
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        ref = (body or {}).get("schema", {}).get("$ref", "")
        if "id" in schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}):
            replaying.append(path)
            assert "200" in op["responses"], path
            assert op["responses"]["200"]["content"] == op["responses"]["201"]["content"], path
    assert len(replaying) >= 10


def test_workday_override_put_declares_created(openapi_schema: dict[str, Any]) -> None:
    responses = openapi_schema["paths"]["/api/v1/workday-overrides/{on}"]["put"]["responses"]
    assert {"200", "201"} <= set(responses)
