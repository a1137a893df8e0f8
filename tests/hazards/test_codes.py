"""Gapless codes per county and year under concurrent creates (real commits, own connections)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app.auth.policy import POLICY
from app.auth.principal import Principal, Role
from app.config import Settings
from app.core.clock import today_china
from app.db import create_sessionmaker
from app.hazards import service
from app.hazards.schemas import HazardCreate
from app.main import create_app
from tests.factories import create_enterprise
from tests.hazards.builders import hazard_body

COUNTY = "330105"  # a county no rolled-back test commits to
TOWN = "330105001"


async def _cleanup(engine: AsyncEngine, enterprise_id: str | None) -> None:
    async with engine.begin() as conn:
        # The timeline and the audit log are append-only: bypass their triggers to clean up.
        await conn.execute(text("SET LOCAL session_replication_role = replica"))
        if enterprise_id:
            hazard_ids = [
                str(i)
                for i in (
                    await conn.execute(
                        text("SELECT id FROM hazard WHERE enterprise_id = CAST(:e AS uuid)"),
                        {"e": enterprise_id},
                    )
                ).scalars()
            ]
            ids = {"ids": hazard_ids}
            await conn.execute(
                text("DELETE FROM hazard_event WHERE hazard_id::text = ANY(:ids)"), ids
            )
            await conn.execute(
                text("DELETE FROM hazard_deadline WHERE hazard_id::text = ANY(:ids)"), ids
            )
            resources = {"ids": [*hazard_ids, enterprise_id]}
            await conn.execute(
                text("DELETE FROM audit_event WHERE resource_id = ANY(:ids)"), resources
            )
            subjects = {"s": [f"hazard/{i}" for i in hazard_ids] + [f"enterprise/{enterprise_id}"]}
            await conn.execute(text("DELETE FROM outbox_event WHERE subject = ANY(:s)"), subjects)
            # Hazards are deleted with triggers on, so the statistics rollups follow.
            await conn.execute(text("SET LOCAL session_replication_role = origin"))
            await conn.execute(text("DELETE FROM hazard WHERE id::text = ANY(:ids)"), ids)
            await conn.execute(
                text("DELETE FROM enterprise WHERE id = CAST(:e AS uuid)"), {"e": enterprise_id}
            )
        await conn.execute(
            text("DELETE FROM hazard_code_counter WHERE county_code = :c"), {"c": COUNTY}
        )


async def test_gapless_codes_under_concurrency(
    settings: Settings, token: Callable[..., dict[str, str]]
) -> None:
    engine = create_async_engine(settings.database_url, pool_size=12)
    application = create_app(settings)
    application.state.sessionmaker = create_sessionmaker(engine)
    admin = token("admin", sub="test-admin-codes")
    enterprise_id = None
    try:
        await _cleanup(engine, None)
        async with AsyncClient(
            transport=ASGITransport(app=application), base_url="http://test"
        ) as http:
            ent = await create_enterprise(http, admin, region_code=TOWN)
            enterprise_id = ent["id"]
            # a create that rolls back frees its number: the next one takes it
            admin_principal = Principal(
                role=Role.admin, subject="test-admin-codes", permissions=POLICY[Role.admin]
            )
            async with create_sessionmaker(engine)() as session:
                rolled_back = await service.create_hazard(
                    session,
                    admin_principal,
                    HazardCreate.model_validate(hazard_body(enterprise_id, title="回滚的隐患")),
                )
                taken = rolled_back.code
                await session.rollback()
            assert taken == f"{COUNTY}-{today_china().year}-000001"

            async def create(i: int) -> dict[str, Any]:
                body = hazard_body(enterprise_id, title=f"并发隐患{i}", id=str(uuid.uuid4()))
                r = await http.post("/api/v1/hazards", json=body, headers=admin)
                assert r.status_code == 201, r.text
                return r.json()  # type: ignore[no-any-return]

            made = await asyncio.gather(*(create(i) for i in range(12)))
        year = today_china().year
        serials = sorted(int(h["code"].rsplit("-", 1)[1]) for h in made)
        assert serials == list(range(1, 13))
        assert all(h["code"].startswith(f"{COUNTY}-{year}-") for h in made)
        async with engine.connect() as conn:
            last = (
                await conn.execute(
                    text(
                        "SELECT last_value FROM hazard_code_counter "
                        "WHERE county_code = :c AND year = :y"
                    ),
                    {"c": COUNTY, "y": year},
                )
            ).scalar_one()
            # the audit row and the outbox event carry the real code, not the provisional one
            ids = [uuid.UUID(h["id"]) for h in made]
            audited = (
                await conn.execute(
                    text(
                        "SELECT resource_id, changes->'code'->>'new' FROM audit_event "
                        "WHERE resource_type = 'hazard' "
                        "AND resource_id = ANY(CAST(:ids AS text[]))"
                    ),
                    {"ids": [str(i) for i in ids]},
                )
            ).all()
            published = (
                await conn.execute(
                    text(
                        "SELECT data->>'id', data->>'code' FROM outbox_event "
                        "WHERE data->>'id' = ANY(CAST(:ids AS text[]))"
                    ),
                    {"ids": [str(i) for i in ids]},
                )
            ).all()
        codes = {h["id"]: h["code"] for h in made}
        assert dict(audited) == codes
        assert dict(published) == codes
        assert last == 12
    finally:
        await _cleanup(engine, enterprise_id)
        await engine.dispose()
