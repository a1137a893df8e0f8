"""Bearer token edge cases against an app that trusts only a JWKS file (RS256/ES256)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from httpx import AsyncClient
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from app.auth import tokens
from app.config import Settings
from app.main import create_app
from tests.conftest import api_client

ISSUER, AUDIENCE = "https://idp.example.gov.cn", "anjian-api"
URL = "/api/v1/departments"


class Keys:
    def __init__(self, directory: Path) -> None:
        self.path = directory / "jwks.json"
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP256R1())
        self.keys: list[dict[str, Any]] = []
        self.publish("rsa-1", self.rsa)
        self.publish("ec-1", self.ec)

    def publish(self, kid: str, private: Any) -> None:
        algorithm = RSAAlgorithm if isinstance(private, rsa.RSAPrivateKey) else ECAlgorithm
        jwk = json.loads(algorithm.to_jwk(private.public_key()))
        self.keys.append({**jwk, "kid": kid, "use": "sig"})
        self.path.write_text(json.dumps({"keys": self.keys}))


@pytest.fixture
def keys(tmp_path: Path) -> Keys:
    return Keys(tmp_path)


@pytest.fixture
async def rs_client(app: Any, settings: Settings, keys: Keys) -> AsyncIterator[AsyncClient]:
    strict = settings.model_copy(
        update={
            "dev_jwt_secret": None,
            "jwks_file": keys.path,
            "jwt_issuer": ISSUER,
            "jwt_audience": AUDIENCE,
            "jwt_algorithms": ["RS256", "ES256"],
        }
    )
    assert strict.allowed_jwt_algorithms == ["RS256", "ES256"]
    # The suite's shared app with the state ``create_app(strict)`` builds (token verifier,
    # settings): routes and middleware do not depend on the JWT settings, and a fresh app
    # would cost seconds of first-request work. The ``app`` fixture resets it for the next test.
    test_state = app.state
    app.state = create_app(strict).state
    app.state.sessionmaker = test_state.sessionmaker
    app.state.read_sessionmaker = test_state.read_sessionmaker
    async with api_client(app) as http:
        yield http


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "idp|tester",
        "role": "admin",
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        **overrides,
    }


def sign(
    keys: Keys, body: dict[str, Any], *, alg: str = "RS256", kid: str = "rsa-1", key: Any = None
) -> str:
    if key is None:
        key = keys.rsa if alg == "RS256" else keys.ec
    return jwt.encode(body, key, algorithm=alg, headers={"kid": kid})


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def call(client: AsyncClient, token: str) -> Any:
    return await client.get(URL, headers={"Authorization": f"Bearer {token}"})


async def test_valid_rs256_and_es256(rs_client: AsyncClient, keys: Keys) -> None:
    assert (await call(rs_client, sign(keys, claims()))).status_code == 200
    es = sign(keys, claims(), alg="ES256", kid="ec-1")
    assert (await call(rs_client, es)).status_code == 200


def _none_token(keys: Keys) -> str:
    return b64({"alg": "none", "typ": "JWT"}) + "." + b64(claims()) + "."


def _tampered(keys: Keys) -> str:
    header, _, signature = sign(keys, claims(role="inspector")).split(".")
    return f"{header}.{b64(claims(role='admin'))}.{signature}"


def _flipped_signature(keys: Keys) -> str:
    token = sign(keys, claims())
    last = token[-2]
    return token[:-2] + ("A" if last != "A" else "B") + token[-1]


def _hs256_with_public_key(keys: Keys) -> str:
    pem = keys.rsa.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "kid": "rsa-1", "typ": "JWT"}
    signing_input = b64(header) + "." + b64(claims())
    import hashlib
    import hmac

    mac = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def _without(name: str) -> Callable[[Keys], str]:
    def make(keys: Keys) -> str:
        body = claims()
        del body[name]
        return sign(keys, body)

    return make


# name → token builder. Every one must be refused with 401 invalid_token.
BAD_TOKENS: dict[str, Callable[[Keys], str]] = {
    "expired": lambda k: sign(k, claims(exp=int(time.time()) - 120)),
    "not_yet_valid": lambda k: sign(k, claims(nbf=int(time.time()) + 600)),
    "wrong_audience": lambda k: sign(k, claims(aud="another-api")),
    "wrong_issuer": lambda k: sign(k, claims(iss="https://evil.example.com")),
    "alg_none": _none_token,
    "unknown_kid": lambda k: sign(k, claims(), kid="rsa-2"),
    "no_kid": lambda k: jwt.encode(claims(), k.rsa, algorithm="RS256"),
    "tampered_payload": _tampered,
    "tampered_signature": _flipped_signature,
    "hs256_with_secret": lambda k: jwt.encode(
        claims(), "x" * 48, algorithm="HS256", headers={"kid": "rsa-1"}
    ),
    "hs256_with_rsa_public_key": _hs256_with_public_key,
    "rs256_header_on_ec_key": lambda k: sign(k, claims(), alg="ES256", kid="rsa-1"),
    "key_type_confusion": lambda k: sign(k, claims(), alg="RS256", kid="ec-1"),
    "foreign_rsa_key": lambda k: sign(
        k, claims(), key=rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ),
    "missing_exp": _without("exp"),
    "missing_sub": _without("sub"),
    "malformed": lambda k: "not-a-jwt",
    "unknown_role": lambda k: sign(k, claims(role="superuser")),
    "system_role": lambda k: sign(k, claims(role="system")),
}


@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
async def test_bad_tokens_are_401(rs_client: AsyncClient, keys: Keys, case: str) -> None:
    response = await call(rs_client, BAD_TOKENS[case](keys))
    assert response.status_code == 401, (case, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_token"
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_rotated_key_is_picked_up_by_kid(
    rs_client: AsyncClient, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (await call(rs_client, sign(keys, claims()))).status_code == 200
    fresh = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    keys.publish("rsa-2", fresh)
    monkeypatch.setattr(tokens, "_RELOAD_ON_UNKNOWN_KID_SECONDS", 0.0)
    token = sign(keys, claims(), kid="rsa-2", key=fresh)
    assert (await call(rs_client, token)).status_code == 200


async def test_missing_credentials_is_401(rs_client: AsyncClient) -> None:
    response = await rs_client.get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert response.headers["www-authenticate"].startswith("Bearer")
