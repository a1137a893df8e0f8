"""The fixed stack's floor: FastAPI + uvicorn + asyncpg answering the benchmark's reads with
nothing else (no authentication, scope, ORM, validation, audit or middleware).

Served like the service (2 workers, same port) so that ``make bench`` can show how much of the
distance between the service and raw asyncpg is the framework itself and how much is Anjian's
own work. Not part of the application.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI, Response

from bench.scenarios import COUNTY, HAZARD_COLUMNS

READ = f"SELECT {HAZARD_COLUMNS} FROM hazard WHERE id = $1 AND deleted_at IS NULL"
PAGE = (
    f"SELECT {HAZARD_COLUMNS} FROM hazard WHERE county_code = $1 AND status = $2 "
    "AND deleted_at IS NULL ORDER BY found_at DESC, id DESC LIMIT 51"
)


LOCK = f"SELECT {HAZARD_COLUMNS} FROM hazard WHERE id = $1 AND deleted_at IS NULL FOR UPDATE"
STEP = (
    "UPDATE hazard SET last_progress_at = now(), version = version + 1, updated_at = now() "
    f"WHERE id = $1 AND version = $2 RETURNING {HAZARD_COLUMNS}"
)
# the timeline row, the audit row and the outbox event in one statement, as the service does
SIDE_EFFECTS = """
WITH timeline AS (
  INSERT INTO hazard_event (id, hazard_id, occurred_at, action, from_status, to_status,
    actor_subject, actor_role, comment, document_numbers, attachment_ids, data, hazard_version)
  VALUES (gen_random_uuid(), $1, now(), 'report_progress', $2, $2, 'bench', 'admin', $3,
    '{}', '{}', '{}', $4)
), audit AS (
  INSERT INTO audit_event (actor_subject, actor_role, action, resource_type, resource_id,
    region_code, changes)
  VALUES ('bench', 'admin', 'report_progress', 'hazard', $1::text, $5, $6::jsonb)
)
INSERT INTO outbox_event (id, type, source, subject, time, data, region_code)
VALUES (gen_random_uuid(), 'hazard.progress_reported', '/anjian', 'hazard/' || $1::text, now(),
  $7::jsonb, $5)
"""


def _json(value: Any) -> bytes:
    return json.dumps(value, default=str, ensure_ascii=False).encode()


def create_app() -> FastAPI:
    pool: dict[str, asyncpg.Pool] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        dsn = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
        pool["db"] = await asyncpg.create_pool(dsn, min_size=10, max_size=10)
        yield
        await pool["db"].close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/readyz")
    async def ready() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/v1/hazards/{hazard_id}")
    async def read(hazard_id: uuid.UUID) -> Response:
        row = await pool["db"].fetchrow(READ, hazard_id)
        if row is None:
            return Response(status_code=404)
        return Response(_json(dict(row)), media_type="application/json")

    @app.get("/api/v1/hazards")
    async def page(region: str = COUNTY, status: str = "rectifying", limit: int = 50) -> Response:
        rows = await pool["db"].fetch(PAGE, region, status)
        items = [dict(r) for r in rows[:limit]]
        return Response(_json({"items": items}), media_type="application/json")

    @app.post("/api/v1/hazards/{hazard_id}/report-progress")
    async def report_progress(hazard_id: uuid.UUID, body: dict[str, Any]) -> Response:
        async with pool["db"].acquire() as conn, conn.transaction():
            row = await conn.fetchrow(LOCK, hazard_id)
            if row is None:
                return Response(status_code=404)
            updated = dict(await conn.fetchrow(STEP, hazard_id, row["version"]))
            changes = {"last_progress_at": {"after": str(updated["updated_at"])}}
            data = {"status": row["status"], "version": updated["version"]}
            await conn.execute(
                SIDE_EFFECTS,
                hazard_id,
                row["status"],
                body.get("comment"),
                updated["version"],
                row["region_code"],
                json.dumps(changes),
                json.dumps(data),
            )
        return Response(_json(updated), media_type="application/json")

    return app
