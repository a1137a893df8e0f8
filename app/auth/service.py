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
from app.models.identity import ApiKey

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


def _refused(message: str, message_zh: str, code: str) -> Unauthorized:
    return Unauthorized(message, message_zh, code=code)


def _check_claim(claims: dict[str, Any], name: str, effective: object) -> None:
    """A claim the person record also decides must agree with the record (never widen it)."""
    value = claims.get(name)
    if value is None or value == "":
        return
    if str(value) != (str(effective) if effective is not None else None):
        raise _refused(
            f"The token's {name} disagrees with the person record",
            f"令牌中的 {name} 与人员档案不一致",
            "claim_mismatch",
        )


async def principal_from_token(
    session: AsyncSession, verifier: TokenVerifier, token: str, *, claims_without_record: bool
) -> Principal:
    """The person record is the authority for a subject that has one (role among its roles;
    region, department, enterprise from the record; a disagreeing claim is 401). A subject whose
    records are all deleted is 401. A subject that never had a record is taken on its claims
    only when ``claims_without_record`` (an IdP that carries its own claims)."""
    # Keys from a JWKS URL may need a (cached) fetch: keep it off the event loop.
    claims = (
        await asyncio.to_thread(verifier.verify, token)
        if verifier.may_fetch
        else verifier.verify(token)
    )
    subject = str(claims["sub"]).strip()
    if not subject or subject != str(claims["sub"]):
        raise _refused("The token's subject is empty", "令牌的主体（sub）为空", "invalid_token")
    person = await repository.person_by_subject(session, subject)
    if person is None:
        if await repository.subject_ever_bound(session, subject):
            raise _refused("This account was deleted", "该账号已删除", "account_deleted")
        if not claims_without_record:
            raise _refused(
                "No person record carries this subject",
                "没有人员档案使用该身份标识",
                "subject_unknown",
            )
        return await _principal_from_claims(session, subject, claims)
    if not person.active:
        raise _refused("This account is deactivated", "该账号已停用", "account_inactive")
    try:
        role = Role(claims.get("role") or (person.roles[0] if person.roles else ""))
    except ValueError as exc:
        raise _refused(
            "The token carries no valid role", "令牌中没有有效角色", "invalid_token"
        ) from exc
    if role.value not in person.roles or role is Role.system:
        # The person record is the grant: a token may pick one of its roles, never add one.
        raise _refused(
            "The token's role is not granted to this person",
            "该人员未被授予令牌中的角色",
            "role_not_granted",
        )
    region, sectors = person.region_code, None
    if person.department_id is not None:
        region, sectors = await _department_scope(session, role, person.department_id, region)
    _check_claim(claims, "department_id", person.department_id)
    _check_claim(claims, "enterprise_id", person.enterprise_id)
    _check_claim(claims, "region_code", region)
    return Principal(
        role=role,
        subject=subject,
        person_id=person.id,
        region_code=str(region) if region else None,
        department_id=person.department_id,
        enterprise_id=person.enterprise_id,
        sectors=sectors,
        permissions=POLICY[role],
    )


async def _department_scope(
    session: AsyncSession, role: Role, department_id: uuid.UUID, region: str | None
) -> tuple[str | None, frozenset[str] | None]:
    dept = await repository.department_scope(session, department_id)
    if dept is None:
        raise _refused(
            "The token names an unknown department", "令牌中的部门不存在", "invalid_token"
        )
    sectors = None
    if role in (Role.department_official, Role.inspector) and dept[1]:
        sectors = frozenset(dept[1])
    return region or dept[0], sectors


async def _principal_from_claims(
    session: AsyncSession, subject: str, claims: dict[str, Any]
) -> Principal:
    try:
        role = Role(claims.get("role") or "")
    except ValueError as exc:
        raise _refused(
            "The token carries no valid role", "令牌中没有有效角色", "invalid_token"
        ) from exc
    if role is Role.system:
        raise _refused("System clients use API keys", "外部系统须使用 API 密钥", "invalid_token")
    department_id = _uuid_claim(claims, "department_id")
    region = str(claims.get("region_code") or "") or None
    if region is not None and not (region.isdigit() and len(region) <= 12):
        raise _refused(
            "Claim region_code is not a region code", "令牌中的区划代码无效", "invalid_token"
        )
    sectors: frozenset[str] | None = None
    if department_id is not None:
        region, sectors = await _department_scope(session, role, department_id, region)
    await repository.note_claims_sign_in(session, subject, role.value, region)
    return Principal(
        role=role,
        subject=subject,
        region_code=str(region) if region else None,
        department_id=department_id,
        enterprise_id=_uuid_claim(claims, "enterprise_id"),
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
    return principal_for_key(key)


def principal_for_key(key: ApiKey) -> Principal:
    """What an API key may do and see (also the scope of the webhooks it subscribes to)."""
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


ADMIN_SUBSCRIBER = Principal(
    role=Role.admin, subject="webhook:admin", permissions=POLICY[Role.admin]
)
"""The scope of a subscription an administrator made (no owning key): everything."""
