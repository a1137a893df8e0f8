"""JWT verification with an algorithm allow-list and keys by ``kid`` (JWKS file or URL)."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
from jwt import PyJWK, PyJWKClient, PyJWKSet

from app.config import Settings
from app.core.errors import Unauthorized

_ASYMMETRIC = {"RS256": "RSA", "ES256": "EC"}
_RELOAD_ON_UNKNOWN_KID_SECONDS = 10.0


def _invalid(reason_en: str, reason_zh: str) -> Unauthorized:
    return Unauthorized(
        reason_en,
        reason_zh,
        code="invalid_token",
        headers={
            "WWW-Authenticate": f'Bearer realm="anjian", error="invalid_token", '
            f'error_description="{reason_en}"'
        },
    )


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._file_keys: PyJWKSet | None = None
        self._file_loaded_at = 0.0
        self._url_client = (
            PyJWKClient(
                settings.jwks_url, cache_keys=True, lifespan=settings.jwks_cache_seconds, timeout=5
            )
            if settings.jwks_url
            else None
        )

    @property
    def may_fetch(self) -> bool:
        """True when verifying may do network I/O (a JWKS URL)."""
        return self._url_client is not None

    def _load_file(self, *, force: bool) -> PyJWKSet:
        assert self.settings.jwks_file is not None
        age = time.monotonic() - self._file_loaded_at
        if (
            self._file_keys is None
            or age > self.settings.jwks_cache_seconds
            or (force and age > _RELOAD_ON_UNKNOWN_KID_SECONDS)
        ):
            self._file_keys = PyJWKSet.from_dict(json.loads(self.settings.jwks_file.read_text()))
            self._file_loaded_at = time.monotonic()
        return self._file_keys

    def _key_for(self, kid: str | None) -> PyJWK:
        if self.settings.jwks_file is not None and kid:
            # An unknown kid may be a freshly rotated key: re-read the file (rate-limited).
            for force in (False, True):
                for key in self._load_file(force=force).keys:
                    if key.key_id == kid:
                        return key
        if self._url_client is not None and kid:
            try:
                return self._url_client.get_signing_key(kid)
            except jwt.PyJWKClientError as exc:
                raise _invalid("Unknown signing key", "未知的签名密钥") from exc
        raise _invalid("Unknown signing key", "未知的签名密钥")

    def verify(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise _invalid("Malformed token", "令牌格式错误") from exc
        alg = header.get("alg")
        if alg not in self.settings.allowed_jwt_algorithms:
            raise _invalid(f"Algorithm {alg!r} is not allowed", f"不允许的签名算法 {alg!r}")
        key: Any
        if alg == "HS256":
            key = self.settings.dev_jwt_secret
        else:
            jwk = self._key_for(header.get("kid"))
            # The key's own type must match the algorithm: no RSA/EC/HMAC confusion.
            if jwk.key_type != _ASYMMETRIC[alg]:
                raise _invalid("Key type does not match the algorithm", "密钥类型与算法不符")
            key = jwk.key
        try:
            return jwt.decode(
                token,
                key,
                algorithms=[alg],
                audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
                leeway=30,
            )
        except jwt.ExpiredSignatureError as exc:
            raise _invalid("The token has expired", "令牌已过期") from exc
        except jwt.ImmatureSignatureError as exc:
            raise _invalid("The token is not yet valid", "令牌尚未生效") from exc
        except jwt.InvalidAudienceError as exc:
            raise _invalid("Wrong audience", "令牌受众不符") from exc
        except jwt.InvalidIssuerError as exc:
            raise _invalid("Wrong issuer", "令牌签发者不符") from exc
        except jwt.PyJWTError as exc:
            raise _invalid("The token is invalid", "令牌无效") from exc


def mint_dev_token(settings: Settings, claims: dict[str, Any], ttl_seconds: int = 12 * 3600) -> str:
    """An HS256 development token; refused when no development secret is configured."""
    if not settings.dev_jwt_secret:
        raise RuntimeError("ANJIAN_DEV_JWT_SECRET is not set: development tokens are disabled")
    now = int(time.time())
    payload = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
        **claims,
    }
    return jwt.encode(payload, settings.dev_jwt_secret, algorithm="HS256")
