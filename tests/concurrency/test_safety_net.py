"""The safety net under the writes: aborted transactions run again, an unreachable database is
a 503, and a connection that met an error never serves the next request half-reset."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app.config import Settings
from app.core import dberrors
from tests.concurrency.cluster import free_port
from tests.concurrency.live import live_app, live_client
from tests.factories import COUNTY

ABORT_TRIGGER = """
CREATE FUNCTION anjian_test_abort() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.name LIKE 'abort-%'
     AND nextval('anjian_test_aborts') <= split_part(NEW.name, '-', 2)::int THEN
    RAISE EXCEPTION 'simulated' USING ERRCODE = split_part(NEW.name, '-', 3);
  END IF;
  RETURN NEW;
END $$
"""


@pytest.fixture
async def live_engine(live_settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(live_settings.database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def aborting_departments(live_engine: AsyncEngine) -> AsyncIterator[None]:
    """Creating a department named ``abort-<n>-<sqlstate>-…`` fails with that SQLSTATE the
    first n times (a sequence counts them across transactions: it is not rolled back)."""
    async with live_engine.begin() as conn:
        await conn.execute(text("CREATE SEQUENCE anjian_test_aborts"))
        await conn.execute(text(ABORT_TRIGGER))
        await conn.execute(
            text(
                "CREATE TRIGGER anjian_test_abort BEFORE INSERT ON department "
                "FOR EACH ROW EXECUTE FUNCTION anjian_test_abort()"
            )
        )
    try:
        yield
    finally:
        async with live_engine.begin() as conn:
            await conn.execute(text("DROP TRIGGER anjian_test_abort ON department"))
            await conn.execute(text("DROP FUNCTION anjian_test_abort()"))
            await conn.execute(text("DROP SEQUENCE anjian_test_aborts"))


def _department(name: str) -> dict[str, Any]:
    return {"name": name, "kind": "department", "region_code": COUNTY, "sectors": ["hazchem"]}


@pytest.mark.usefixtures("aborting_departments")
@pytest.mark.parametrize("sqlstate", ["40P01", "40001"])
async def test_an_aborted_transaction_runs_again(
    live: AsyncClient,
    live_token: Callable[..., dict[str, str]],
    live_engine: AsyncEngine,
    sqlstate: str,
) -> None:
    """Deadlock or serialization failure twice, then through: one 201, one row."""
    admin = live_token("admin", sub="live-admin")
    async with live_engine.begin() as conn:
        await conn.execute(text("SELECT setval('anjian_test_aborts', 1, false)"))
    name = f"abort-2-{sqlstate}-{uuid.uuid4().hex[:8]}"
    response = await live.post("/api/v1/departments", json=_department(name), headers=admin)
    assert response.status_code == 201, response.text
    async with live_engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT count(*) FROM department WHERE name = :n"), {"n": name}
        )
        assert rows.scalar_one() == 1


@pytest.mark.usefixtures("aborting_departments")
async def test_a_transaction_aborted_every_time_is_a_503_with_retry_after(
    live: AsyncClient, live_token: Callable[..., dict[str, str]], live_engine: AsyncEngine
) -> None:
    admin = live_token("admin", sub="live-admin")
    async with live_engine.begin() as conn:
        await conn.execute(text("SELECT setval('anjian_test_aborts', 1, false)"))
    name = f"abort-99-40P01-{uuid.uuid4().hex[:8]}"
    response = await live.post("/api/v1/departments", json=_department(name), headers=admin)
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "1"
    assert response.json()["code"] == "transaction_conflict"
    async with live_engine.connect() as conn:
        tried = await conn.execute(text("SELECT last_value FROM anjian_test_aborts"))
        assert tried.scalar_one() == 4  # ANJIAN_TRANSACTION_ATTEMPTS, then no more


async def test_database_unreachable_is_503_and_one_warning(
    settings: Settings, live_token: Callable[..., dict[str, str]], caplog: Any
) -> None:
    """Nothing listens where the database should be: every endpoint answers 503
    ``service_unavailable`` with Retry-After (never 500), the log has one warning line for
    the outage (no traceback per request), and /readyz says 503 ``not_ready`` as before."""
    nowhere = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/anjian"
    down = settings.model_copy(update={"database_url": nowhere})
    dberrors.incidents.last_failure = float("-inf")
    caplog.set_level(logging.WARNING)
    admin = live_token("admin", sub="live-admin")
    async with live_app(down) as application, live_client(application) as client:
        answers = await asyncio.gather(
            client.post("/api/v1/departments", json=_department("停机"), headers=admin),
            client.get("/api/v1/hazards", headers=admin),
            client.post(
                "/api/v1/departments",
                json=_department("停机"),
                headers={**admin, "Idempotency-Key": "down-1"},
            ),
            client.get(f"/api/v1/regions/{COUNTY}", headers=admin),
        )
        ready = await client.get("/readyz")
    for answer in answers:
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"] == str(down.unavailable_retry_after_seconds)
        assert answer.json()["code"] == "service_unavailable"
    assert ready.status_code == 503
    assert ready.json()["code"] == "not_ready"
    warnings = [r for r in caplog.records if "database unavailable" in r.getMessage()]
    assert len(warnings) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_a_cancelled_request_never_leaves_a_broken_connection(
    live_settings: Settings, live_token: Callable[..., dict[str, str]], live_engine: AsyncEngine
) -> None:
    """A request cancelled in the middle of a statement (its client went away) with a pool of
    one connection: the connection is discarded, not handed on mid-operation, and the
    requests after it succeed (no asyncpg "cannot switch to state")."""
    one = live_settings.model_copy(update={"db_pool_size": 1, "db_max_overflow": 0})
    admin = live_token("admin", sub="live-admin")
    async with live_app(one) as application, live_client(application) as client:
        assert (await client.get("/api/v1/departments", headers=admin)).status_code == 200
        async with live_engine.connect() as blocker:
            await blocker.begin()
            await blocker.execute(text("LOCK TABLE department IN EXCLUSIVE MODE"))
            stuck = asyncio.create_task(
                client.post("/api/v1/departments", json=_department("取消"), headers=admin)
            )
            await asyncio.sleep(0.5)
            stuck.cancel()
            with pytest.raises(asyncio.CancelledError):
                await stuck
            await blocker.rollback()
        for n in range(10):
            r = await client.post(
                "/api/v1/departments", json=_department(f"之后{n}"), headers=admin
            )
            assert r.status_code == 201, r.text
            assert (await client.get("/api/v1/departments", headers=admin)).status_code == 200
