"""Domain errors. Raised anywhere below the router; rendered as RFC 9457 problems by the app.

Each error carries an HTTP status, a stable snake_case ``code`` and a detail in English and
Chinese; the handler picks the language from ``Accept-Language``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


class AppError(Exception):
    status: int = 400
    code: str = "bad_request"

    def __init__(
        self,
        detail_en: str,
        detail_zh: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail_en)
        self.detail_en = detail_en
        self.detail_zh = detail_zh or detail_en
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.errors = errors
        self.headers = headers or {}


class BadRequest(AppError):
    status, code = 400, "bad_request"


class Unauthorized(AppError):
    status, code = 401, "unauthenticated"

    def __init__(self, detail_en: str, detail_zh: str | None = None, **kw: Any) -> None:
        kw.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="anjian"'})
        super().__init__(detail_en, detail_zh, **kw)


class Forbidden(AppError):
    status, code = 403, "forbidden"


class NotFound(AppError):
    status, code = 404, "not_found"

    @classmethod
    def of(cls, resource: str, resource_zh: str) -> NotFound:
        return cls(f"{resource} not found", f"{resource_zh}不存在")


class Conflict(AppError):
    status, code = 409, "conflict"


class Gone(AppError):
    status, code = 410, "gone"


class PreconditionFailed(AppError):
    status, code = 412, "precondition_failed"


class PreconditionRequired(AppError):
    status, code = 428, "precondition_required"


class PayloadTooLarge(AppError):
    status, code = 413, "payload_too_large"


class UnsupportedMediaType(AppError):
    status, code = 415, "unsupported_media_type"


class Unprocessable(AppError):
    status, code = 422, "validation_failed"

    @classmethod
    def field(
        cls,
        loc: list[str | int],
        msg: str,
        error_type: str,
        msg_zh: str | None = None,
        code: str = "validation_failed",
    ) -> Unprocessable:
        return cls(
            msg,
            msg_zh,
            code=code,
            errors=[
                {"loc": loc, "msg": msg, "type": error_type}
                | ({"msg_zh": msg_zh} if msg_zh else {})
            ],
        )


class TooManyRequests(AppError):
    status, code = 429, "rate_limited"


def reject_nulls(changes: Mapping[str, Any], required: Iterable[str]) -> None:
    """PATCH is a JSON merge, where ``null`` clears a field: a required field refuses it (422
    naming the field) instead of reaching the database's NOT NULL."""
    for name in required:
        if name in changes and changes[name] is None:
            raise Unprocessable.field(
                ["body", name],
                f"{name} cannot be null",
                "null_not_allowed",
                f"{name} 不能为空（null）",
            )
