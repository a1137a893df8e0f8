"""Revocation is immediate in every process: two application instances, each with its own
principal cache switched on (60 s), real commits. A change made through one instance is refused
by the other on the very next request (the cache re-validates each hit with one stamp query)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

from httpx import AsyncClient
from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.config import Settings
from app.db import create_read_sessionmaker, create_sessionmaker
from app.main import create_app
from app.models.identity import ApiKey, Person
from app.models.reference import Department
from tests.conftest import api_client, make_token
from tests.events.builders import committed
from tests.factories import COUNTY, create_department
from tests.people.builders import create_person

HAZARDS = "/api/v1/hazards"


@contextlib.asynccontextmanager
async def two_processes(
    engine: AsyncEngine, settings: Settings
) -> AsyncIterator[tuple[AsyncClient, AsyncClient, list[Any]]]:
    cached = settings.model_copy(update={"principal_cache_seconds": 60.0})
    made: list[Any] = []  # (model, id) rows to remove afterwards
    async with committed(engine) as maker:
        try:
            apps = [create_app(cached), create_app(cached)]
            for app in apps:  # what the lifespan does, on the shared (committing) engine
                app.state.sessionmaker = create_sessionmaker(engine)
                app.state.read_sessionmaker = create_read_sessionmaker(engine)
            async with api_client(apps[0]) as one, api_client(apps[1]) as two:
                yield one, two, made
        finally:
            async with maker() as session, session.begin():
                await session.execute(text("SET LOCAL session_replication_role = replica"))
                for model, row_id in reversed(made):
                    await session.execute(delete(model).where(model.id == row_id))


async def _official(
    one: AsyncClient, settings: Settings, made: list[Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    admin = make_token(settings, "admin", sub=f"revocation-admin-{uuid.uuid4().hex[:6]}")
    dept = await create_department(one, admin, region_code=COUNTY)
    made.append((Department, uuid.UUID(dept["id"])))
    subject = f"revocation-{uuid.uuid4().hex[:8]}"
    person = await create_person(
        one, admin, department_id=dept["id"], roles=["committee_office"], subject=subject
    )
    made.append((Person, uuid.UUID(person["id"])))
    return person, make_token(settings, "committee_office", sub=subject)


async def test_deleting_a_person_refuses_its_token_in_the_other_process(
    engine: AsyncEngine, settings: Settings
) -> None:
    async with two_processes(engine, settings) as (one, two, made):
        person, bearer = await _official(one, settings, made)
        admin = make_token(settings, "admin", sub="revocation-admin")
        for client in (one, two, one, two):  # both caches now hold the principal
            assert (await client.get(HAZARDS, headers=bearer)).status_code == 200
        response = await one.delete(f"/api/v1/people/{person['id']}", headers=admin)
        assert response.status_code == 204, response.text
        refused = await two.get(HAZARDS, headers=bearer)
        assert refused.status_code == 401
        assert refused.json()["code"] == "account_deleted"
        assert (await one.get(HAZARDS, headers=bearer)).status_code == 401


async def test_deactivation_and_key_revocation_are_immediate_everywhere(
    engine: AsyncEngine, settings: Settings
) -> None:
    async with two_processes(engine, settings) as (one, two, made):
        person, bearer = await _official(one, settings, made)
        admin = make_token(settings, "admin", sub="revocation-admin")
        created = await one.post(
            "/api/v1/api-keys", json={"name": "revocation", "region_code": COUNTY}, headers=admin
        )
        assert created.status_code == 201, created.text
        made.append((ApiKey, uuid.UUID(created.json()["id"])))
        key = {"X-API-Key": created.json()["key"]}
        for client in (one, two, one, two):
            assert (await client.get(HAZARDS, headers=bearer)).status_code == 200
            assert (await client.get(HAZARDS, headers=key)).status_code == 200
        response = await two.post(
            f"/api/v1/people/{person['id']}/deactivate", json={"reason": "离职"}, headers=admin
        )
        assert response.status_code == 200, response.text
        assert (await one.get(HAZARDS, headers=bearer)).json()["code"] == "account_inactive"
        response = await two.delete(f"/api/v1/api-keys/{created.json()['id']}", headers=admin)
        assert response.status_code == 204
        refused = await one.get(HAZARDS, headers=key)
        assert refused.status_code == 401
        assert refused.json()["code"] == "invalid_api_key"
