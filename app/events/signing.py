"""Standard Webhooks signatures (https://www.standardwebhooks.com).

A secret is ``whsec_`` + base64 of 32 random bytes; the HMAC key is the decoded bytes. The
``webhook-signature`` header holds one ``v1,<base64 HMAC-SHA256(id.timestamp.body)>`` per secret
still valid (several during a rotation), separated by spaces.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    raw = secret.removeprefix(SECRET_PREFIX)
    return base64.b64decode(raw)


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    payload = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), payload, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(secrets_: list[str], message_id: str, timestamp: int, body: bytes) -> str:
    return " ".join(sign(s, message_id, timestamp, body) for s in secrets_)


def verify(
    secret: str,
    headers: dict[str, str],
    body: bytes,
    *,
    tolerance: int | None = None,
    now: int | None = None,
) -> bool:
    """What a receiver does: recompute and compare with any of the signatures sent."""
    message_id = headers["webhook-id"]
    timestamp = int(headers["webhook-timestamp"])
    if tolerance is not None and now is not None and abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, message_id, timestamp, body)
    return any(
        hmac.compare_digest(expected, candidate)
        for candidate in headers["webhook-signature"].split(" ")
    )
