"""``Idempotency-Key`` on POST: the first response is stored and replayed to the same caller.

Runs as ASGI middleware around the whole request. The record lives in PostgreSQL, claimed in
its own short transaction before the handler runs, so concurrent retries see "in flight" (409)
and a retry after a crash waits only until the claim's lock expires.

**Fencing.** A claim carries a token (``claim``). The request's own business transaction, just
before its COMMIT, marks the record done (``committed_at``) *if the claim is still its own*
(``fence``, called by the session dependency): so the key and the writes commit or roll back
together. A claim is taken over only when its lock expired and it is not done, with a new
token; the execution it was taken from then fails its fence (409 ``idempotency_in_flight``) and
its writes roll back: two executions of one key can never both commit. A retry that arrives
while the done record's response is being stored also gets 409 ``idempotency_in_flight``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from collections.abc import MutableMapping
from datetime import timedelta
from typing import Any

import anyio
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core import metrics
from app.core.clock import utcnow
from app.core.errors import Conflict
from app.core.problems import problem_response
from app.models.core import IdempotencyRecord

log = logging.getLogger("anjian.idempotency")

FENCE = "anjian.idempotency"  # ASGI scope key: (caller, key, claim token) of this execution

_REPLAYED_HEADERS = {"content-type", "location", "etag", "content-language"}
# A response marked ``Cache-Control: no-store`` carries a secret shown once (an API key, a
# receipt secret): its body is never stored, and a replay says so instead of repeating it.
_NOT_STORED = b"no-store"


def _caller(headers: dict[str, str]) -> str:
    credential = headers.get("authorization") or headers.get("x-api-key") or "anonymous"
    return hashlib.sha256(credential.encode()).hexdigest()


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, *, ttl_hours: int, lock_seconds: int) -> None:
        self.app = app
        self.ttl = timedelta(hours=ttl_hours)
        self.lock = timedelta(seconds=lock_seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        key = headers.get("idempotency-key")
        if key is None:
            await self.app(scope, receive, send)
            return
        if not 1 <= len(key) <= 255:
            await problem_response(
                400,
                "invalid_idempotency_key",
                detail_en="Idempotency-Key must be 1-255 characters",
                detail_zh="Idempotency-Key 长度须为 1 至 255 个字符",
                instance=scope["path"],
            )(scope, receive, send)
            return

        # Read the whole body once so it can be hashed, then hand it on unchanged.
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        digest = hashlib.sha256(
            scope["path"].encode() + b"\0" + scope.get("query_string", b"") + b"\0" + body
        ).hexdigest()
        caller = _caller(headers)
        sessionmaker: async_sessionmaker[AsyncSession] = scope["app"].state.sessionmaker

        token = uuid.uuid4()
        verdict = await self._claim(sessionmaker, caller, key, digest, token)
        if verdict is not None:
            await verdict(scope, receive, send)
            return
        scope[FENCE] = (caller, key, token)

        replayed = False

        async def replay_receive() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        captured: dict[str, Any] = {"status": 500, "headers": [], "body": []}

        async def capture_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["no_store"] = any(
                    k.lower() == b"cache-control" and _NOT_STORED in v.lower()
                    for k, v in message["headers"]
                )
                captured["headers"] = [
                    [k.decode("latin-1"), v.decode("latin-1")]
                    for k, v in message["headers"]
                    if k.decode("latin-1").lower() in _REPLAYED_HEADERS
                ]
            elif message["type"] == "http.response.body":
                captured["body"].append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_receive, capture_send)
        finally:
            with anyio.CancelScope(shield=True):  # a client gone must not leave the key in flight
                await self._store_reliably(sessionmaker, caller, key, token, captured)

    async def _claim(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        caller: str,
        key: str,
        digest: str,
        token: uuid.UUID,
    ) -> Any:
        now = utcnow()
        async with sessionmaker() as session, session.begin():
            await session.execute(
                delete(IdempotencyRecord).where(
                    IdempotencyRecord.caller == caller,
                    IdempotencyRecord.key == key,
                    IdempotencyRecord.expires_at < now,
                )
            )
            inserted = await session.execute(
                insert(IdempotencyRecord)
                .values(
                    caller=caller,
                    key=key,
                    request_hash=digest,
                    claim=token,
                    locked_until=now + self.lock,
                    expires_at=now + self.ttl,
                )
                .on_conflict_do_nothing()
                .returning(IdempotencyRecord.key)
            )
            if inserted.first() is not None:
                return None
            record = (
                await session.execute(
                    select(IdempotencyRecord)
                    .where(IdempotencyRecord.caller == caller, IdempotencyRecord.key == key)
                    .with_for_update()
                )
            ).scalar_one()
            if record.request_hash != digest:
                metrics.IDEMPOTENCY_CONFLICTS.labels("idempotency_key_reused").inc()
                return problem_response(
                    422,
                    "idempotency_key_reused",
                    detail_en="This Idempotency-Key was used with a different request",
                    detail_zh="该 Idempotency-Key 已用于另一个不同的请求",
                )
            if record.response_status is None:
                if record.committed_at is not None and not (
                    record.locked_until and record.locked_until > now
                ):
                    return problem_response(
                        409,
                        "idempotency_not_replayable",
                        detail_en="The first request with this Idempotency-Key was carried out, "
                        "but its answer was lost (the database failed after its commit); read "
                        "the resource to see the result",
                        detail_zh="使用该 Idempotency-Key 的首次请求已执行，"
                        "但其响应因数据库在提交后故障而丢失，请查询相应资源确认结果",
                    )
                if record.committed_at is not None or (
                    record.locked_until and record.locked_until > now
                ):
                    metrics.IDEMPOTENCY_CONFLICTS.labels("idempotency_in_flight").inc()
                    return problem_response(
                        409,
                        "idempotency_in_flight",
                        detail_en="A request with this Idempotency-Key is still being processed",
                        detail_zh="使用该 Idempotency-Key 的请求仍在处理中",
                    )
                # abandoned claim: take it over (its execution, if alive, fails its fence)
                record.locked_until = now + self.lock
                record.claim = token
                return None
            if record.response_body is None:
                metrics.IDEMPOTENCY_CONFLICTS.labels("idempotency_not_replayable").inc()
                return problem_response(
                    409,
                    "idempotency_not_replayable",
                    detail_en="The first request succeeded, but its response held a secret that "
                    "is shown only once and is not stored",
                    detail_zh="首次请求已成功，但其响应包含仅显示一次的密钥，无法重放",
                )
            return _Replay(
                record.response_status, record.response_headers or [], record.response_body
            )

    async def _store_reliably(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        caller: str,
        key: str,
        token: uuid.UUID,
        captured: dict[str, Any],
    ) -> None:
        """Store the answer; a failure (the database gone for a moment) is retried a few times
        so that the key does not stay in flight until its lock expires."""
        for delay in (0.05, 0.2, 1.0, None):
            try:
                await self._store(sessionmaker, caller, key, token, captured)
                return
            except Exception as exc:
                if delay is None:
                    log.warning("could not store the response of Idempotency-Key: %s", exc)
                    return
                await asyncio.sleep(delay)

    async def _store(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        caller: str,
        key: str,
        token: uuid.UUID,
        captured: dict[str, Any],
    ) -> None:
        async with sessionmaker() as session, session.begin():
            where = (
                IdempotencyRecord.caller == caller,
                IdempotencyRecord.key == key,
                IdempotencyRecord.claim == token,  # still ours (not taken over)
            )
            if captured["status"] >= 500:
                # A server failure is not an answer: let the client retry with the same key.
                # If the writes did commit (the connection failed after COMMIT went out), the
                # key stays done, without an answer to replay: never executed twice.
                gone = await session.execute(
                    delete(IdempotencyRecord)
                    .where(*where, IdempotencyRecord.committed_at.is_(None))
                    .returning(IdempotencyRecord.key)
                )
                if gone.first() is None:
                    await session.execute(
                        update(IdempotencyRecord).where(*where).values(locked_until=None)
                    )
                return
            secret = captured.get("no_store", False)
            await session.execute(
                update(IdempotencyRecord)
                .where(*where)
                .values(
                    response_status=captured["status"],
                    response_headers=[] if secret else captured["headers"],
                    response_body=None if secret else b"".join(captured["body"]),
                    locked_until=None,
                )
            )


async def fence(session: AsyncSession, scope: MutableMapping[str, Any]) -> None:
    """In the request's business transaction, just before COMMIT: mark the Idempotency-Key
    done if this execution still holds it; otherwise refuse (the transaction rolls back)."""
    claim = scope.get(FENCE)
    if claim is None:
        return
    caller, key, token = claim
    held = await session.execute(
        update(IdempotencyRecord)
        .where(
            IdempotencyRecord.caller == caller,
            IdempotencyRecord.key == key,
            IdempotencyRecord.claim == token,
            IdempotencyRecord.committed_at.is_(None),
        )
        .values(committed_at=func.now())
        .returning(IdempotencyRecord.key)
    )
    if held.first() is None:
        raise Conflict(
            "A retry with this Idempotency-Key took over this request; its result is the one kept",
            "使用该 Idempotency-Key 的重试已接管本请求，以重试的结果为准",
            code="idempotency_in_flight",
        )


class _Replay:
    def __init__(self, status: int, headers: list[list[str]], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in self.headers]
        raw += [
            (b"idempotent-replayed", b"true"),
            (b"content-length", str(len(self.body)).encode()),
        ]
        await send({"type": "http.response.start", "status": self.status, "headers": raw})
        await send({"type": "http.response.body", "body": self.body})
