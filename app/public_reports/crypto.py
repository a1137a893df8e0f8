"""Secrets of the public report module: the reporter-identity cipher, receipt codes and
secrets, and the keyed hash of client addresses used by the rate limiter.

The reporter's identity (name and contact) is encrypted with AES-256-GCM under the key in
``ANJIAN_PUBLIC_REPORT_KEY`` (base64 of 32 bytes). The report id is the associated data, so a
ciphertext copied onto another report does not decrypt. The development default key is
refused when ``environment=production`` (checked at startup and again on first use).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import uuid
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.config import Settings

DEV_KEY = "ZGV2LW9ubHktcHVibGljLXJlcG9ydC1rZXktMzJieXQ="
_FORMAT_VERSION = b"\x01"
_NONCE_BYTES = 12
# Receipt codes avoid characters that are easily confused when read aloud or written down.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_CODE_LENGTH = 12
# Compared against when a receipt code is unknown, so both refusals take the same work.
_DUMMY_HASH = hashlib.sha256(b"anjian-no-such-receipt").hexdigest()


class KeyConfigurationError(RuntimeError):
    """The reporter key is missing, malformed, or the development default in production."""


def _decode_key(encoded: str) -> bytes:
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyConfigurationError("ANJIAN_PUBLIC_REPORT_KEY is not valid base64") from exc
    if len(key) != 32:
        raise KeyConfigurationError("ANJIAN_PUBLIC_REPORT_KEY must decode to 32 bytes")
    return key


def check_key_settings(settings: Settings) -> None:
    """Startup check: a usable key, and never the development default in production."""
    _decode_key(settings.public_report_key)
    if settings.environment == "production" and settings.public_report_key == DEV_KEY:
        raise KeyConfigurationError(
            "ANJIAN_PUBLIC_REPORT_KEY must be set to a fresh random key in production"
        )


class ReporterCipher:
    def __init__(self, settings: Settings) -> None:
        check_key_settings(settings)
        key = _decode_key(settings.public_report_key)
        self._aead = AESGCM(key)
        self._mac_key = hmac.new(key, b"anjian/public-report/client-address", "sha256").digest()
        self.key_id = hashlib.sha256(b"key-id:" + key).hexdigest()[:16]

    def encrypt(self, report_id: uuid.UUID, identity: dict[str, Any]) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        plaintext = json.dumps(identity, ensure_ascii=False, sort_keys=True).encode()
        return _FORMAT_VERSION + nonce + self._aead.encrypt(nonce, plaintext, report_id.bytes)

    def decrypt(self, report_id: uuid.UUID, blob: bytes) -> dict[str, Any]:
        if blob[:1] != _FORMAT_VERSION:
            raise KeyConfigurationError("Unknown reporter ciphertext format")
        nonce, body = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
        try:
            plaintext = self._aead.decrypt(nonce, body, report_id.bytes)
        except InvalidTag as exc:
            raise KeyConfigurationError(
                "The reporter identity does not decrypt with the configured key"
            ) from exc
        value: dict[str, Any] = json.loads(plaintext)
        return value

    def client_key(self, address: str | None) -> str:
        """A keyed hash of the client address: rate windows never store the address."""
        return hmac.new(self._mac_key, (address or "-").encode(), "sha256").hexdigest()


_ciphers: dict[str, ReporterCipher] = {}


def cipher_for(settings: Settings) -> ReporterCipher:
    cached = _ciphers.get(settings.public_report_key + settings.environment)
    if cached is None:
        cached = ReporterCipher(settings)
        _ciphers[settings.public_report_key + settings.environment] = cached
    return cached


def new_receipt_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))


def new_receipt_secret() -> str:
    return secrets.token_urlsafe(18)


def hash_secret(secret: str) -> str:
    """Receipt secrets carry 144 random bits, so a plain SHA-256 is enough to store them."""
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(stored_hash: str | None, presented: str) -> bool:
    """Constant-time; an unknown receipt (``stored_hash`` None) costs the same as a wrong one."""
    return hmac.compare_digest(stored_hash or _DUMMY_HASH, hash_secret(presented)) and (
        stored_hash is not None
    )
