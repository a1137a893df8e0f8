"""RFC 9457 problem details: the one way every error leaves the service."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from app.core import request_context
from app.core.dberrors import incidents, is_duplicate_id, is_retryable, is_unavailable
from app.core.errors import AppError
from app.core.routing import allowed_methods
from app.core.validation_zh import message_zh

log = logging.getLogger("anjian.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"
_UNDECODABLE_BODY = "There was an error parsing the body"

TITLES: dict[int, tuple[str, str]] = {
    400: ("Bad request", "请求有误"),
    401: ("Authentication required", "需要身份认证"),
    403: ("Forbidden", "无权执行此操作"),
    404: ("Not found", "资源不存在"),
    405: ("Method not allowed", "不支持该请求方法"),
    406: ("Not acceptable", "无法提供所请求的格式"),
    409: ("Conflict", "与当前状态冲突"),
    410: ("Gone", "资源已不可用"),
    412: ("Precondition failed", "前置条件不满足"),
    413: ("Payload too large", "请求体过大"),
    415: ("Unsupported media type", "不支持的媒体类型"),
    422: ("Validation failed", "数据校验未通过"),
    428: ("Precondition required", "缺少前置条件"),
    429: ("Too many requests", "请求过于频繁"),
    500: ("Internal server error", "服务器内部错误"),
    503: ("Service unavailable", "服务暂不可用"),
}


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details (错误详情)."""

    model_config = ConfigDict(json_schema_extra={"title": "Problem"})

    type: str = Field(default="about:blank", description="URI reference identifying the problem")
    title: str = Field(description="Short summary in the negotiated language")
    status: int
    detail: str | None = None
    instance: str | None = Field(default=None, description="The request path")
    code: str = Field(description="Stable snake_case error code, e.g. hazard_not_open")
    errors: list[FieldError] | None = None
    request_id: str | None = None


def is_chinese() -> bool:
    return request_context.current.get().language.startswith("zh")


def problem_response(
    status: int,
    code: str,
    *,
    detail_en: str | None = None,
    detail_zh: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    ctx = request_context.current.get()
    zh = ctx.language.startswith("zh")
    title_en, title_zh = TITLES.get(status, ("Error", "错误"))
    body: dict[str, Any] = {
        "type": f"https://anjian.gov.cn/problems/{code}",
        "title": title_zh if zh else title_en,
        "status": status,
        "detail": (detail_zh or detail_en) if zh else detail_en,
        "instance": instance,
        "code": code,
        "request_id": ctx.request_id,
    }
    if errors:
        body["errors"] = jsonable_encoder([_localized(e, zh) for e in errors])
    return JSONResponse(
        body,
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={**(headers or {}), "Content-Language": "zh-CN" if zh else "en"},
    )


def _localized(error: dict[str, Any], zh: bool) -> dict[str, Any]:
    """One field error in the answer's language: ``msg_zh`` (set by ``Unprocessable.field`` and
    the validation handler) or the Chinese text made from its type; never both languages."""
    out = {k: v for k, v in error.items() if k != "msg_zh"}
    if zh:
        msg = str(error.get("msg", ""))
        out["msg"] = error.get("msg_zh") or message_zh(str(error.get("type", "")), msg, None)
    return out


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        error_type, msg = err.get("type", "value_error"), err.get("msg", "")
        out.append(
            {
                "loc": list(err.get("loc", ())),
                "msg": msg,
                "msg_zh": message_zh(error_type, msg, err.get("ctx")),
                "type": error_type,
            }
        )
    return out


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return problem_response(
        exc.status,
        exc.code,
        detail_en=exc.detail_en,
        detail_zh=exc.detail_zh,
        errors=exc.errors,
        instance=request.url.path,
        headers=exc.headers,
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _validation_errors(exc)
    if any(e["type"] in ("json_invalid",) for e in errors):
        return problem_response(
            400,
            "malformed_json",
            detail_en="The request body is not valid JSON",
            detail_zh="请求体不是合法的 JSON",
            instance=request.url.path,
        )
    return problem_response(
        422,
        "validation_failed",
        detail_en="The request has invalid fields",
        detail_zh="请求中有字段未通过校验",
        errors=errors,
        instance=request.url.path,
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request.scope))
    if exc.status_code == 400 and exc.detail == _UNDECODABLE_BODY:
        # FastAPI's answer to a body that is not UTF-8 (json.loads raised UnicodeDecodeError)
        return problem_response(
            400,
            "malformed_json",
            detail_en="The request body is not valid JSON (UTF-8)",
            detail_zh="请求体不是合法的 JSON（须为 UTF-8 编码）",
            instance=request.url.path,
        )
    codes = {404: "route_not_found", 405: "method_not_allowed", 400: "bad_request"}
    details = {
        404: ("No such route", "没有这个接口"),
        405: ("This method is not allowed on this route", "该接口不支持此请求方法"),
    }
    en, zh = details.get(exc.status_code, (str(exc.detail), str(exc.detail)))
    return problem_response(
        exc.status_code,
        codes.get(exc.status_code, "http_error"),
        detail_en=en,
        detail_zh=zh,
        instance=request.url.path,
        headers=headers,
    )


def internal_error_response(instance: str) -> JSONResponse:
    """The 500 problem. ``RequestContextMiddleware`` sends it for an unexpected exception, inside
    the request's context (request id, language) and without dropping the connection."""
    return problem_response(
        500,
        "internal_error",
        detail_en="An unexpected error occurred; quote the request id when reporting it",
        detail_zh="发生意外错误，请凭请求编号反馈",
        instance=instance,
    )


def database_problem(exc: BaseException, instance: str, retry_after: int) -> JSONResponse | None:
    """The answer to a database failure that no retry cured (None: not one of those)."""
    if is_unavailable(exc):
        incidents.failed(exc)
        return problem_response(
            503,
            "service_unavailable",
            detail_en="The database is unavailable; nothing was changed. Retry later",
            detail_zh="数据库暂不可用，本次请求未做任何修改，请稍后重试",
            instance=instance,
            headers={"Retry-After": str(retry_after)},
        )
    if is_duplicate_id(exc):
        return id_conflict_response(instance)
    if is_retryable(exc):
        log.warning("transaction still aborted after every attempt on %s: %s", instance, exc)
        return problem_response(
            503,
            "transaction_conflict",
            detail_en="Concurrent changes kept aborting this request; nothing was changed. "
            "Retry shortly",
            detail_zh="并发修改导致本次请求多次中止，未做任何修改，请稍后重试",
            instance=instance,
            headers={"Retry-After": "1"},
        )
    return None


def id_conflict_response(instance: str) -> JSONResponse:
    return problem_response(
        409,
        "id_conflict",
        detail_en="A different resource already exists with this id",
        detail_zh="已存在使用该 id 的其他资源",
        instance=instance,
    )


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    """Last resort, outside the request context: only an error after the response started (or
    in the outermost middleware itself) gets this far; the server then closes the connection."""
    log.exception("unhandled error on %s", request.url.path)
    return internal_error_response(request.url.path)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unhandled)


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "model": Problem,
        "content": {PROBLEM_MEDIA_TYPE: {}},
        "description": TITLES[status][0],
    }
    for status in (400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 429, 410)
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error responses a route declares in OpenAPI (always with the problem schema)."""
    wanted = {400, 401, 422, *statuses}
    return {s: PROBLEM_RESPONSES[s] for s in sorted(wanted)}


def replayed(model: type[Any]) -> dict[int | str, dict[str, Any]]:
    """The 200 of a create repeated with the same client ``id`` and body (offline clients)."""
    return {
        200: {
            "model": model,
            "description": "The same create repeated with the same client `id` and body: the "
            "resource as it was created (nothing is written again)",
        }
    }


# Integrity errors are mapped by constraint name (see the naming convention in app.models.base).
CONSTRAINT_ERRORS: dict[str, tuple[int, str, str, str]] = {}


def register_constraint(name: str, status: int, code: str, en: str, zh: str) -> None:
    CONSTRAINT_ERRORS[name] = (status, code, en, zh)


async def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
    from sqlalchemy.exc import IntegrityError

    assert isinstance(exc, IntegrityError)
    constraint = getattr(getattr(exc.orig, "__cause__", None), "constraint_name", None) or getattr(
        exc.orig, "constraint_name", None
    )
    if is_duplicate_id(exc):
        raise exc  # a concurrent create with the same client id: the request runs again
    if constraint in CONSTRAINT_ERRORS:
        status, code, en, zh = CONSTRAINT_ERRORS[constraint]
        return problem_response(status, code, detail_en=en, detail_zh=zh, instance=request.url.path)
    sqlstate = getattr(getattr(exc.orig, "__cause__", None), "sqlstate", None)
    if sqlstate == "23503":
        return problem_response(
            422,
            "reference_not_found",
            detail_en="A referenced record does not exist",
            detail_zh="引用的记录不存在",
            instance=request.url.path,
        )
    log.warning("unmapped integrity error on %s: %s", constraint, exc.orig)
    return problem_response(
        409,
        "conflict",
        detail_en="The change conflicts with existing data",
        detail_zh="该修改与现有数据冲突",
        instance=request.url.path,
    )


# PostgreSQL data exceptions (class 22) that a value from the client causes: a 422 safety net
# for what no schema rule caught. Any other database error stays a 500.
_INVALID_CHARACTER = (
    "invalid_character",
    "A text value contains a character that cannot be stored (NUL, U+0000)",
    "文本中含有无法保存的字符（NUL 空字符 U+0000）",
)
DATA_ERRORS: dict[str, tuple[str, str, str]] = {
    # data_exception: asyncpg raises it itself for a value it cannot send (beyond int32 for an
    # int4 parameter) before PostgreSQL sees it
    "22000": (
        "value_not_storable",
        "A value does not fit its field's type or range",
        "某个值不符合字段的类型或取值范围",
    ),
    "22021": _INVALID_CHARACTER,  # character_not_in_repertoire (NUL in text)
    "22P05": _INVALID_CHARACTER,  # untranslatable_character (\u0000 in jsonb)
    "22001": (
        "value_too_long",
        "A value is longer than its field allows",
        "某个值超过字段允许的长度",
    ),
    "22003": (
        "number_out_of_range",
        "A number is out of its field's range",
        "某个数值超出字段允许的范围",
    ),
    "22008": (
        "date_out_of_range",
        "A date or time is out of the supported range",
        "日期或时间超出支持的范围",
    ),
}


def _sqlstate(orig: BaseException | None) -> str | None:
    state = getattr(orig, "sqlstate", None) or getattr(
        getattr(orig, "__cause__", None), "sqlstate", None
    )
    return str(state) if state else None


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """The session dependency has already rolled the request's transaction back."""
    from sqlalchemy.exc import DBAPIError

    assert isinstance(exc, DBAPIError)
    mapped = DATA_ERRORS.get(_sqlstate(exc.orig) or "")
    if mapped is None:
        raise exc  # a 500, sent by RequestContextMiddleware
    code, en, zh = mapped
    return problem_response(422, code, detail_en=en, detail_zh=zh, instance=request.url.path)


def install_integrity_handler(app: FastAPI) -> None:
    from sqlalchemy.exc import DBAPIError, IntegrityError

    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(DBAPIError, _database_error)
