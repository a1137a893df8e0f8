"""A request whose transaction lost a race runs again, as a whole, before anything is sent.

PostgreSQL may abort a transaction that did nothing wrong: a deadlock (40P01) or a
serialization failure (40001); a create with a client-chosen id may find that a concurrent
repeat committed that id first (primary-key violation; run again, the service answers as for a
repeat: the 200 replay or 409 ``id_conflict``). Likewise a request whose connection was lost
before it sent COMMIT wrote nothing (``COMMITTING`` marks the commit in the ASGI scope): a
pooled connection broken by a database restart must not fail the first request after it.

The response of a write is held until the attempt ends, so a retry never follows bytes already
sent; reads stream as usual and are retried only if nothing was sent. What still fails leaves
as an exception, which ``RequestContextMiddleware`` answers (503 with ``Retry-After``).
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.dberrors import is_retryable, is_unavailable

log = logging.getLogger("anjian.database")

COMMITTING = "anjian.committing"  # set in the scope when the request's COMMIT is sent
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def _may_run_again(exc: BaseException, scope: Scope) -> bool:
    if is_retryable(exc):
        return True
    return is_unavailable(exc) and not scope.get(COMMITTING, False)


class TransactionRetryMiddleware:
    def __init__(self, app: ASGIApp, *, attempts: int) -> None:
        self.app = app
        self.attempts = attempts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        write = scope["method"] not in _READS
        for attempt in range(1, self.attempts + 1):
            scope[COMMITTING] = False
            run = _Attempt(body, receive, send, hold=write)
            try:
                await self.app(scope, run.receive, run.send)
            except Exception as exc:
                if run.started or attempt == self.attempts or not _may_run_again(exc, scope):
                    if run.held and _complete(run.held):
                        await _flush(run.held, send)  # answered already: the error came after
                    raise
                log.info(
                    "%s %s: transaction aborted (%s), attempt %d of %d",
                    scope["method"],
                    scope["path"],
                    type(exc).__name__,
                    attempt,
                    self.attempts,
                )
                await asyncio.sleep(_backoff(attempt))
                continue
            await _flush(run.held, send)
            return


class _Attempt:
    """One run of the application: the body replayed, the response held (writes) or passed on
    (reads: ``started`` once anything went out)."""

    def __init__(self, body: bytes, receive: Receive, send: Send, *, hold: bool) -> None:
        self.body: bytes | None = body
        self._receive, self._send, self._hold = receive, send, hold
        self.held: list[Message] = []
        self.started = False

    async def receive(self) -> Message:
        if self.body is not None:
            body, self.body = self.body, None
            return {"type": "http.request", "body": body, "more_body": False}
        return await self._receive()

    async def send(self, message: Message) -> None:
        if self._hold:
            self.held.append(message)
        else:
            self.started = True
            await self._send(message)


def _backoff(attempt: int) -> float:
    """10, 20, 40… ms (at most 0.5 s), ±50 % jitter, so the transactions that collided do not
    collide again."""
    base: float = 0.01 * 2 ** (attempt - 1)
    return float(min(0.5, base) * (0.5 + random.random()))


def _complete(messages: list[Message]) -> bool:
    last = messages[-1]
    return bool(last["type"] == "http.response.body" and not last.get("more_body", False))


async def _flush(messages: list[Message], send: Send) -> None:
    for message in messages:
        await send(message)


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    more = True
    while more:
        message: dict[str, Any] = dict(await receive())
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)
