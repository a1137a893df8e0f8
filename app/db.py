"""Engine and sessions. One session per request; the request commits once, before responding."""

from __future__ import annotations

from typing import Any

import anyio
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session

from app.config import Settings
from app.core.dberrors import is_statement_error
from app.core.errors import AppError
from app.models.audit import AuditEvent


def create_engine(settings: Settings) -> AsyncEngine:
    if not settings.database_url:
        raise RuntimeError("DATABASE_URL (or ANJIAN_DATABASE_URL) is not set")
    return create_async_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_pre_ping=False,
        connect_args={"server_settings": {"application_name": "anjian", "timezone": "UTC"}},
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


class ReadOnlySession(Session):
    """A session for requests that only read. The one thing it may write is the audit trail of
    what the read showed (unmasked personal data); anything else is a programming error."""

    def flush(self, objects: Any = None) -> None:
        if self.dirty or self.deleted or not all(isinstance(o, AuditEvent) for o in self.new):
            raise RuntimeError("a read-only request session can only append audit rows")
        super().flush(objects)


def create_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions without BEGIN/COMMIT: a single-statement read needs no transaction, and the two
    round trips it saves are a third of the time of a hot read such as one hazard. Audit rows
    of a read are flushed as one INSERT, which commits on its own."""
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"),
        expire_on_commit=False,
        autoflush=False,
        sync_session_class=ReadOnlySession,
    )


async def end_failed(session: AsyncSession, exc: BaseException) -> None:
    """End the session of a request that failed. After a refusal (a domain error, or PostgreSQL
    refusing a statement) a rollback resets the connection; after anything else (the request
    cancelled mid-statement, the driver in an unknown state, the connection lost) the
    connection is discarded, never handed to the next request. Shielded from cancellation, so a
    client that went away cannot leave a connection half reset."""
    with anyio.CancelScope(shield=True):
        if isinstance(exc, AppError) or is_statement_error(exc):
            try:
                await session.rollback()
                return
            except Exception:  # noqa: S110 - the connection is discarded below
                pass
        await session.invalidate()
