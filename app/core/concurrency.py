"""Optimistic concurrency: ``If-Match`` carries the version the client last saw."""

from __future__ import annotations

from app.core.errors import BadRequest, PreconditionFailed


def parse_if_match(header: str | None) -> int | None:
    """``"3"``, ``W/"3"`` or ``*``; None when absent or ``*``."""
    if header is None:
        return None
    value = header.strip()
    if value == "*":
        return None
    value = value.removeprefix("W/").strip('"')
    if not value.isdigit():
        raise BadRequest(
            "If-Match must be the ETag of the resource",
            "If-Match 必须是资源的 ETag",
            code="invalid_if_match",
        )
    return int(value)


def check_version(expected: int | None, actual: int) -> None:
    if expected is not None and expected != actual:
        raise PreconditionFailed(
            f"The resource has changed (version {actual}); reload it and try again",
            f"资源已被修改（当前版本 {actual}），请刷新后重试",
            code="version_mismatch",
        )


def etag(version: int) -> str:
    return f'"{version}"'
