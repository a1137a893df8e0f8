"""Opaque, signed cursors. A forged, truncated or foreign cursor is a 400, never a 500."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from app.core.errors import BadRequest

_MAC_BYTES = 16


def _mac(secret: str, payload: bytes) -> bytes:
    return hmac.new(secret.encode(), payload, hashlib.sha256).digest()[:_MAC_BYTES]


def encode_cursor(secret: str, kind: str, data: dict[str, Any]) -> str:
    payload = json.dumps({"kind": kind, **data}, separators=(",", ":"), default=str).encode()
    token = _mac(secret, payload) + payload
    return base64.urlsafe_b64encode(token).rstrip(b"=").decode()


def decode_cursor(secret: str, kind: str, cursor: str) -> dict[str, Any]:
    invalid = BadRequest(
        "The cursor is invalid or belongs to another query",
        "分页游标无效或不属于本次查询",
        code="invalid_cursor",
    )
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (ValueError, TypeError) as exc:
        raise invalid from exc
    mac, payload = raw[:_MAC_BYTES], raw[_MAC_BYTES:]
    if len(mac) != _MAC_BYTES or not hmac.compare_digest(mac, _mac(secret, payload)):
        raise invalid
    try:
        data = json.loads(payload)
    except ValueError as exc:
        raise invalid from exc
    if not isinstance(data, dict) or data.get("kind") != kind:
        raise invalid
    return data
