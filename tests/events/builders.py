"""Builders for event, webhook and clock tests."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from httpx import AsyncClient
from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.auth.service import hash_api_key
from app.models.identity import ApiKey


async def feed(client: AsyncClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = await client.get("/api/v1/events", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def all_events(
    client: AsyncClient,
    headers: dict[str, str],
    **params: Any,
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    after = "0"
    for _ in range(100):
        page = await feed(client, headers, after=after, limit=200, **params)
        items.extend(page["items"])
        after = page["next_cursor"]
        if not page["items"]:
            return items
    raise AssertionError("feed does not end")


async def create_system_key(
    session: AsyncSession,
    *,
    region_code: str | None = None,
    sectors: list[str] | None = None,
    read_only: bool = True,
) -> tuple[ApiKey, str]:
    prefix = secrets.token_hex(4)
    presented = f"ak_{prefix}_{secrets.token_hex(24)}"
    key = ApiKey(
        id=uuid.uuid4(),
        name="12345 热线系统",
        prefix=prefix,
        key_hash=hash_api_key(presented),
        role="system",
        region_code=region_code,
        sectors=sectors,
        read_only=read_only,
        created_by="test",
    )
    session.add(key)
    await session.flush()
    return key, presented


@dataclass
class Receiver:
    """A tiny HTTP receiver on 127.0.0.1 (asyncio.start_server): records requests, answers with
    the next scripted behaviour ("ok", an int status, or "hang" to force a client timeout)."""

    script: list[Any] = field(default_factory=list)
    default: Any = 200
    requests: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0
    server: asyncio.AbstractServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode().split("\r\n")
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            behaviour = self.script.pop(0) if self.script else self.default
            self.requests.append({"headers": headers, "body": body, "answer": behaviour})
            if behaviour == "hang":
                await asyncio.sleep(5)
                return
            status = int(behaviour)
            writer.write(
                f"HTTP/1.1 {status} X\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok".encode()
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def __aenter__(self) -> Receiver:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()

    def event_ids(self) -> list[str]:
        return [json.loads(r["body"])["id"] for r in self.requests]


@contextlib.asynccontextmanager
async def committed(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A sessionmaker whose commits are real; every row of the event tables written meanwhile is
    removed afterwards (the other tests expect a clean database)."""
    from sqlalchemy import func, select

    from app.models.audit import AuditEvent, OutboxEvent
    from app.models.webhook import (
        ClockFiring,
        ClockRun,
        Notification,
        WebhookSubscription,
        WorkerCursor,
    )

    maker = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
    async with maker() as session:
        outbox_seq = (
            await session.execute(select(func.coalesce(func.max(OutboxEvent.seq), 0)))
        ).scalar_one()
        audit_seq = (
            await session.execute(select(func.coalesce(func.max(AuditEvent.seq), 0)))
        ).scalar_one()
    try:
        yield maker
    finally:
        async with maker() as session, session.begin():
            # the audit trail refuses DELETE by trigger; test clean-up bypasses triggers
            await session.execute(text("SET LOCAL session_replication_role = replica"))
            await session.execute(delete(WebhookSubscription))
            await session.execute(delete(ApiKey).where(ApiKey.created_by == "test"))
            await session.execute(delete(WorkerCursor))
            await session.execute(delete(ClockRun))
            await session.execute(delete(ClockFiring))
            await session.execute(delete(Notification))
            await session.execute(delete(OutboxEvent).where(OutboxEvent.seq > outbox_seq))
            await session.execute(delete(AuditEvent).where(AuditEvent.seq > audit_seq))


Factory = Callable[..., Any]
