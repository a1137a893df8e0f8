"""Pure ASGI middleware: request id, language, access log line, body size limit, NUL in the
query string, the 503 problem for a database that is unreachable (or a transaction that kept
being aborted) and the 500 problem for an unexpected error (inside the request context)."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core import logs, metrics, request_context
from app.core.problems import database_problem, internal_error_response, problem_response

access_log = logging.getLogger("anjian.access")
error_log = logging.getLogger("anjian.errors")


def _language(accept_language: str | None) -> str:
    if not accept_language:
        return "zh-CN"
    best, best_q = "zh-CN", -1.0
    for part in accept_language.split(","):
        lang, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        tag = lang.strip().lower()
        if tag.startswith(("zh", "en")) and weight > best_q:
            best, best_q = ("zh-CN" if tag.startswith("zh") else "en"), weight
    return best


class _BodyTooLarge(Exception):
    pass


class RequestContextMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        max_upload_bytes: int,
        trust_forwarded_for: bool = False,
        unavailable_retry_after: int = 5,
    ) -> None:
        self.app = app
        self.unavailable_retry_after = unavailable_retry_after
        self.trust_forwarded_for = trust_forwarded_for
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        incoming = headers.get("x-request-id", "")
        request_id = (
            incoming if 0 < len(incoming) <= 128 and incoming.isprintable() else str(uuid.uuid4())
        )
        ctx = request_context.RequestContext(
            request_id=request_id,
            language=_language(headers.get("accept-language")),
            client_address=self._client_address(scope, headers),
            user_agent=headers.get("user-agent"),
        )
        token = request_context.current.set(ctx)
        started = time.perf_counter()
        status_holder = {"status": 500, "started": False}
        limit = (
            self.max_upload_bytes
            if headers.get("content-type", "").startswith("multipart/")
            else self.max_body_bytes
        )

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                status_holder["started"] = True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        received = 0

        async def receive_wrapper() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        try:
            declared = headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > limit:
                await self._too_large(scope, receive, send_wrapper, limit)
            elif b"%00" in scope.get("query_string", b""):
                await _nul_in_query(scope, receive, send_wrapper)
            elif _unsupported_body(scope["method"], headers):
                await _unsupported_media_type(scope, receive, send_wrapper, headers)
            else:
                try:
                    await self.app(scope, receive_wrapper, send_wrapper)
                except _BodyTooLarge:
                    await self._too_large(scope, receive, send_wrapper, limit)
                except Exception as exc:
                    if status_holder["started"]:
                        raise  # too late for a problem body; Starlette's last resort logs it
                    answer = database_problem(exc, scope["path"], self.unavailable_retry_after)
                    if answer is not None:
                        await answer(scope, receive, send_wrapper)
                        return
                    error_log.exception(
                        "unhandled error on %s %s (request %s)",
                        scope["method"],
                        scope["path"],
                        request_id,
                    )
                    await internal_error_response(scope["path"])(scope, receive, send_wrapper)
        finally:
            seconds = time.perf_counter() - started
            route = scope.get("route")
            template = _route_template(scope, route) if route is not None else None
            status = int(status_holder["status"])
            metrics.observe_request(scope["method"], template, status, seconds)
            if access_log.isEnabledFor(logging.INFO):  # the line is not built to be dropped
                access_log.info(
                    "%s %s %s",
                    scope["method"],
                    template or scope["path"],
                    status,
                    extra=logs.event(
                        "request",
                        method=scope["method"],
                        route=template or scope["path"],
                        status=status,
                        duration_ms=round(seconds * 1000, 2),
                        request_id=request_id,
                    ),
                )
            request_context.current.reset(token)

    def _client_address(self, scope: Scope, headers: dict[str, str]) -> str | None:
        """The peer address; X-Forwarded-For only behind a proxy that overwrites it."""
        if self.trust_forwarded_for and headers.get("x-forwarded-for"):
            return headers["x-forwarded-for"].split(",")[0].strip()
        client = scope.get("client")
        return str(client[0]) if client else None

    @staticmethod
    async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        en, zh = f"The request body exceeds {limit} bytes", f"请求体超过 {limit} 字节上限"
        await _refuse(scope, receive, send, 413, "payload_too_large", en, zh)


async def _refuse(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    code: str,
    detail_en: str,
    detail_zh: str,
    errors: list[dict[str, Any]] | None = None,
) -> None:
    """Answer a request refused before it reaches the application."""
    response = problem_response(
        status,
        code,
        detail_en=detail_en,
        detail_zh=detail_zh,
        errors=errors,
        instance=scope["path"],
    )
    await response(scope, receive, send)


_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_BODY_TYPES = frozenset(
    {"application/json", "multipart/form-data", "application/x-www-form-urlencoded"}
)


def _unsupported_body(method: str, headers: dict[str, str]) -> bool:
    """A body that is neither JSON nor a form (multipart upload, or its url-encoded fields):
    no endpoint takes anything else."""
    if method not in _BODY_METHODS or "content-type" not in headers:
        return False
    if headers.get("content-length", "") in ("", "0") and "transfer-encoding" not in headers:
        return False
    media = headers["content-type"].split(";", 1)[0].strip().lower()
    return not (media in _BODY_TYPES or media.endswith("+json"))


async def _unsupported_media_type(
    scope: Scope, receive: Receive, send: Send, headers: dict[str, str]
) -> None:
    media = headers["content-type"].split(";", 1)[0].strip()
    en = f"A request body is JSON (application/json) or a form upload, not {media}"
    zh = f"请求体须为 JSON（application/json）或表单上传，不支持 {media}"
    await _refuse(scope, receive, send, 415, "unsupported_media_type", en, zh)


async def _nul_in_query(scope: Scope, receive: Receive, send: Send) -> None:
    """A NUL character (``%00``) is never a valid query value, and PostgreSQL refuses it."""
    query = scope["query_string"].decode("latin-1")
    names = [k for k, v in parse_qsl(query, keep_blank_values=True) if "\x00" in k + v]
    error = {"msg": "NUL characters are not allowed", "type": "invalid_character"}
    await _refuse(
        scope,
        receive,
        send,
        422,
        "invalid_character",
        "A query parameter contains a NUL character (%00)",
        "查询参数中含有 NUL 空字符（%00）",
        [{"loc": ["query", name], **error} for name in names[:1] or ["?"]],
    )


def _route_template(scope: Scope, route: object) -> str:
    """The matched route's template with the prefixes of the routers it was included from."""
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    if not template:
        return str(scope["path"])
    path = str(scope["path"])
    # Nested routers may leave only the inner template: restore the mounted prefix.
    if not template.startswith("/api") and path.startswith("/api/"):
        depth = template.count("/")
        prefix = "/".join(path.split("/")[: len(path.split("/")) - depth])
        return prefix + str(template)
    return str(template)
