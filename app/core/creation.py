"""Client-supplied ids on create: a repeated create with the same id and body is a no-op.

Callers read the existing row through the caller's scope *before* comparing bodies
(``replayed = await get_x(session, principal, id)`` then ``ensure_same_create``): an id of a row
the caller cannot see is 404 as for any unknown id, never a 409 that would reveal it exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.core.errors import Conflict
from app.core.plain import plain


def same_create(existing: Mapping[str, Any], payload: Mapping[str, Any]) -> bool:
    """True when every field the client sent equals the stored value."""
    return all(plain(existing.get(k)) == plain(v) for k, v in payload.items())


def ensure_same_create(existing: Mapping[str, Any], payload: Mapping[str, Any]) -> None:
    if not same_create(existing, payload):
        raise Conflict(
            "A different resource already exists with this id",
            "已存在使用该 id 的其他资源",
            code="id_conflict",
        )
