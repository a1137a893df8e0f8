"""Suite fixtures: a throwaway migrated database per worker; a rollback per test."""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from alembic import command
from alembic.config import Config
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)

from app.auth.tokens import mint_dev_token
from app.config import Settings
from app.db import ReadOnlySession
from app.main import create_app
from app.reference.loader import load_regions
from app.reference.seed import load_reference_data
from tests import pg

ROOT = Path(__file__).resolve().parents[1]
DEV_SECRET = "test-secret-for-hs256-development-tokens-only"


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["skip_logging"] = True
    return config


async def create_database(server: str, name: str) -> str:
    conn = await asyncpg.connect(_asyncpg_dsn(server))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return pg.with_database(server, name)


async def drop_database(server: str, name: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(server))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def server_url() -> str:
    return pg.server_url()


@pytest.fixture(scope="session")
def worker_id_str(request: pytest.FixtureRequest) -> str:
    worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
    return f"{worker}_{os.getpid()}"


async def migrate_and_seed(url: str) -> str:
    """Bring a new database to the migration head with the regions and reference data."""
    settings = Settings(database_url=url)
    await asyncio.to_thread(command.upgrade, alembic_config(settings.database_url), "head")
    engine = create_async_engine(settings.database_url)
    async with engine.begin() as conn:
        await load_regions(conn)
        await load_reference_data(conn)
    await engine.dispose()
    return settings.database_url


def _template_name() -> str:
    """A name that changes whenever what a seeded database holds may change: the migrations,
    the reference data and the code that loads them."""
    digest = hashlib.sha256()
    sources = [*sorted((ROOT / "migrations").rglob("*.py")), *sorted((ROOT / "data").rglob("*"))]
    sources += sorted((ROOT / "app" / "reference").rglob("*.py"))
    sources += sorted((ROOT / "app" / "models").rglob("*.py"))
    for path in sources:
        if path.is_file():
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return f"anjian_tmpl_{digest.hexdigest()[:16]}"


async def create_database_from_template(server: str, name: str) -> str:
    """``CREATE DATABASE … TEMPLATE`` a migrated, seeded template (built once per content
    hash, under an advisory lock): a second instead of a migration and a region load. Used when
    ``ANJIAN_TEST_TEMPLATE_DB=1`` (``make mutation`` sets it: every mutant is a fresh session)."""
    template = _template_name()
    conn = await asyncpg.connect(_asyncpg_dsn(server))
    try:
        await conn.execute("SELECT pg_advisory_lock(hashtext($1))", template)
        try:
            exists = await conn.fetchval(
                "SELECT true FROM pg_database WHERE datname = $1 AND datistemplate", template
            )
            if not exists:
                await conn.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
                await conn.execute(f'CREATE DATABASE "{template}"')
                await migrate_and_seed(pg.with_database(server, template))
                await conn.execute(f'ALTER DATABASE "{template}" WITH IS_TEMPLATE true')
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        finally:
            await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", template)
    finally:
        await conn.close()
    return Settings(database_url=pg.with_database(server, name)).database_url


@pytest.fixture(scope="session")
async def database_url(server_url: str, worker_id_str: str) -> AsyncIterator[str]:
    name = f"anjian_test_{worker_id_str}"
    if os.environ.get("ANJIAN_TEST_TEMPLATE_DB") == "1":
        url = await create_database_from_template(server_url, name)
    else:
        url = await migrate_and_seed(await create_database(server_url, name))
    yield url
    await drop_database(server_url, name)


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        environment="test",
        dev_jwt_secret=DEV_SECRET,
        cursor_secret="test-cursor-secret-0123456789abcdef",
        principal_cache_seconds=0,
        trust_forwarded_for=True,  # tests play the proxy that sets X-Forwarded-For
        max_body_bytes=64 * 1024,
        max_attachment_bytes=512 * 1024,
        attachment_dir=Path("/tmp/anjian-test-attachments"),
    )


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(settings.database_url, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """The test's connection, inside a transaction rolled back at the end."""
    async with engine.connect() as conn:
        trans = await conn.begin()
        yield conn
        if trans.is_active:
            await trans.rollback()


@pytest.fixture(scope="session")
def shared_app(settings: Settings) -> Any:
    """One application per worker. A new app costs seconds of first-request work (FastAPI
    prepares every route lazily per app; the export negotiation middleware builds the OpenAPI
    document on the first GET); its routes and middleware depend only on the settings."""
    application = create_app(settings)
    schema = application.openapi()
    # FastAPI's documented override hook (its own cache is rebuilt when routes change).
    application.openapi = lambda: schema
    return application


@pytest.fixture(scope="session")
def openapi_schema(shared_app: Any) -> dict[str, Any]:
    """The served OpenAPI document (``create_app(settings).openapi()``), built once. Read-only."""
    schema: dict[str, Any] = shared_app.openapi()
    return schema


def bind_app(application: Any, settings: Settings, connection: AsyncConnection) -> Any:
    """Give ``application`` a fresh ``state`` (settings, caches…: exactly what ``create_app``
    sets, so tests that tune ``app.state.settings`` leak nothing) whose sessions all join
    ``connection``'s transaction (each in a savepoint)."""
    application.state = create_app(settings).state
    application.state.sessionmaker = async_sessionmaker(
        bind=connection,
        expire_on_commit=False,
        autoflush=False,
        join_transaction_mode="create_savepoint",
    )
    # Read-only requests share the test's transaction too (in production they run without one).
    application.state.read_sessionmaker = async_sessionmaker(
        bind=connection,
        expire_on_commit=False,
        autoflush=False,
        join_transaction_mode="create_savepoint",
        sync_session_class=ReadOnlySession,
    )
    return application


@pytest.fixture
def app(settings: Settings, connection: AsyncConnection, shared_app: Any) -> Any:
    """The shared app, reset and bound to this test's transaction."""
    return bind_app(shared_app, settings, connection)


def api_client(app: Any) -> AsyncClient:
    return AsyncClient(
        transport=ASGITransport(app=app), base_url="http://test", headers={"Accept-Language": "en"}
    )


@pytest.fixture
async def client(app: Any) -> AsyncIterator[AsyncClient]:
    async with api_client(app) as http:
        yield http


def make_token(
    settings: Settings, role: str, *, sub: str | None = None, **claims: Any
) -> dict[str, str]:
    body = {
        "sub": sub or f"test-{role}-{uuid.uuid4().hex[:8]}",
        "role": role,
        **{k: str(v) for k, v in claims.items() if v is not None},
    }
    return {"Authorization": f"Bearer {mint_dev_token(settings, body)}"}


@pytest.fixture
def token(settings: Settings) -> Callable[..., dict[str, str]]:
    """``token("admin")`` or ``token("department_official", region_code=…, department_id=…)``."""

    def make(role: str, *, sub: str | None = None, **claims: Any) -> dict[str, str]:
        return make_token(settings, role, sub=sub, **claims)

    return make


@pytest.fixture
def admin(token: Callable[..., dict[str, str]]) -> dict[str, str]:
    return token("admin", sub="test-admin")


@pytest.fixture(autouse=True)
def _reset_clock() -> Iterator[None]:
    from datetime import timedelta

    from app.core import clock

    yield
    clock.set_offset(timedelta(0))
    clock.set_drill_offset(timedelta(0))
