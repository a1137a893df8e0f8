"""Per-request context (request id, language, client) available to every layer."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = "-"
    language: str = "zh-CN"
    client_address: str | None = None
    user_agent: str | None = None


# RequestContext is frozen, so one shared default is safe.
current: ContextVar[RequestContext] = ContextVar(
    "anjian_request",
    default=RequestContext(),  # noqa: B039
)
