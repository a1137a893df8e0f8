"""Turn credentials into a Principal: JWT claims or an API key, plus the person and unit."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import repository
from app.auth.policy import POLICY, READ_ONLY_KEY_PERMISSIONS
from app.auth.principal import Principal, Role
from app.auth.tokens import TokenVerifier
from app.core.errors import Unauthorized

API_KEY_PREFIX = "ak_"


def hash_api_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _uuid_claim(claims: dict[str, Any], name: str) -> uuid.UUID | None:
    value = claims.get(name)
    if value is None:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Unauthorized(
            f"Claim {name} is not a UUID", f"令牌声明 {name} 不是合法的 UUID", code="invalid_token"
        ) from exc


async def principal_from_token(
    session: AsyncSession, verifier: TokenVerifier, token: str
) -> Principal:
    # Keys from a JWKS URL may need a (cached) fetch: keep it off the event loop.
    claims = (
        await asyncio.to_thread(verifier.verify, token)
        if verifier.may_fetch
        else verifier.verify(token)
    )
    subject = str(claims["sub"])
    person = await repository.person_by_subject(session, subject)
    if person is not None and not person.active:
        raise Unauthorized("This account is deactivated", "该账号已停用", code="account_inactive")
    try:
        role = Role(claims.get("role") or (person.roles[0] if person and person.roles else ""))
    except ValueError as exc:
        raise Unauthorized(
            "The token carries no valid role", "令牌中没有有效角色", code="invalid_token"
        ) from exc
    if person is not None and person.roles and role.value not in person.roles:
        # The person record is the grant: a token may pick one of its roles, never add one.
        raise Unauthorized(
            "The token's role is not granted to this person",
            "该人员未被授予令牌中的角色",
            code="role_not_granted",
        )
    if role is Role.system:
        raise Unauthorized(
            "System clients use API keys", "外部系统须使用 API 密钥", code="invalid_token"
        )
    department_id = _uuid_claim(claims, "department_id") or (
        person.department_id if person else None
    )
    enterprise_id = _uuid_claim(claims, "enterprise_id") or (
        person.enterprise_id if person else None
    )
    region = claims.get("region_code") or (person.region_code if person else None)
    sectors: frozenset[str] | None = None
    if department_id is not None:
        dept = await repository.department_scope(session, department_id)
        if dept is None:
            raise Unauthorized(
                "The token names an unknown department", "令牌中的部门不存在", code="invalid_token"
            )
        region = region or dept[0]
        if role in (Role.department_official, Role.inspector) and dept[1]:
            sectors = frozenset(dept[1])
    return Principal(
        role=role,
        subject=subject,
        person_id=person.id if person else None,
        region_code=str(region) if region else None,
        department_id=department_id,
        enterprise_id=enterprise_id,
        sectors=sectors,
        permissions=POLICY[role],
    )


async def principal_from_api_key(
    session: AsyncSession, presented: str, *, touch_seconds: int = 0
) -> Principal:
    invalid = Unauthorized(
        "The API key is invalid or revoked",
        "API 密钥无效或已吊销",
        code="invalid_api_key",
        headers={"WWW-Authenticate": 'ApiKey realm="anjian"'},
    )
    parts = presented.split("_")
    if len(parts) != 3 or parts[0] + "_" != API_KEY_PREFIX:
        raise invalid
    key = await repository.api_key_by_prefix(session, parts[1])
    if (
        key is None
        or key.revoked_at is not None
        or not hmac.compare_digest(key.key_hash, hash_api_key(presented))
    ):
        raise invalid
    await repository.touch_api_key(session, key.id, resolution_seconds=touch_seconds)
    role = Role(key.role)
    permissions = POLICY[role]
    if key.read_only:
        permissions = frozenset(p for p in permissions if p in READ_ONLY_KEY_PERMISSIONS)
    return Principal(
        role=role,
        subject=f"api_key:{key.prefix}",
        api_key_id=key.id,
        region_code=key.region_code,
        sectors=frozenset(key.sectors) if key.sectors else None,
        read_only=key.read_only,
        permissions=permissions,
    )
