"""API key rules: created by an administrator, shown once, stored hashed, scoped, revocable."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.api_keys import repository
from app.api_keys.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyFilter,
    ApiKeyPage,
    ApiKeyRead,
)
from app.audit.recorder import diff, record_audit
from app.auth.principal import Principal, Role
from app.auth.scope import require
from app.auth.service import API_KEY_PREFIX, hash_api_key
from app.config import Settings
from app.core.clock import utcnow
from app.core.errors import NotFound, Unprocessable
from app.core.ids import new_id
from app.core.listing import ListSpec, SyncView, run_list
from app.models.identity import ApiKey
from app.reference.service import ensure_region

RESOURCE = "api_key"
LIST_SPEC = ListSpec(
    RESOURCE, repository.SORTABLE, "created_at", ApiKey.id, ApiKey.sync_xid, ApiKey.sync_seq
)
# Roles a key may carry. Administrator, enterprise and expert scopes need a person behind them.
KEY_ROLES = {
    Role.system,
    Role.committee_office,
    Role.department_official,
    Role.town_official,
    Role.inspector,
}


def _not_found() -> NotFound:
    return NotFound("API key not found", "API 密钥不存在", code="api_key_not_found")


def new_key() -> tuple[str, str]:
    """(prefix, full key). Neither part contains "_", so the key splits in exactly three."""
    prefix = secrets.token_hex(6)
    return prefix, f"{API_KEY_PREFIX}{prefix}_{secrets.token_hex(24)}"


async def get_api_key(session: AsyncSession, principal: Principal, key_id: uuid.UUID) -> ApiKeyRead:
    require(principal, "api_key:manage")
    row = await repository.get_row(session, principal, key_id)
    if row is None:
        raise _not_found()
    return ApiKeyRead.model_validate(row)


async def list_api_keys(
    session: AsyncSession, settings: Settings, principal: Principal, query: ApiKeyFilter
) -> ApiKeyPage:
    require(principal, "api_key:manage")
    scoped = repository.visible(principal)  # revoking is the only removal, and it is a change
    stmt = repository.filtered(scoped, revoked=query.revoked)
    listed = await run_list(
        session,
        settings,
        LIST_SPEC,
        stmt,
        filters={"revoked": query.revoked},
        sort=query.sort,
        cursor=query.cursor,
        limit=query.limit,
        changed_since=query.changed_since,
        view=SyncView(principal, scoped),
    )
    items = [ApiKeyRead.model_validate(r) for r in listed.rows]
    return ApiKeyPage(items=items, next_cursor=listed.next_cursor, removed=listed.removed)


async def create_api_key(
    session: AsyncSession, principal: Principal, data: ApiKeyCreate
) -> ApiKeyCreated:
    require(principal, "api_key:manage")
    if data.role not in KEY_ROLES:
        raise Unprocessable.field(
            ["body", "role"],
            f"An API key cannot act as {data.role.value}",
            "api_key_role_not_allowed",
            f"API 密钥不能使用角色 {data.role.value}",
            code="api_key_role_not_allowed",
        )
    if data.role is not Role.system and data.region_code is None:
        raise Unprocessable.field(
            ["body", "region_code"],
            "A key with a government role needs a region",
            "api_key_region_required",
            "使用政府角色的密钥必须指定区划",
            code="api_key_region_required",
        )
    if data.region_code is not None:
        await ensure_region(session, data.region_code, ["body", "region_code"])
    prefix, key = new_key()
    payload: dict[str, Any] = {
        "name": data.name,
        "role": data.role.value,
        "region_code": data.region_code,
        "sectors": [s.value for s in data.sectors] if data.sectors else None,
        "read_only": data.read_only,
    }
    api_key = ApiKey(
        id=new_id(),
        prefix=prefix,
        key_hash=hash_api_key(key),
        created_by=principal.subject,
        **payload,
    )
    session.add(api_key)
    await session.flush()
    record_audit(
        session,
        principal,
        action="create",
        resource_type=RESOURCE,
        resource_id=api_key.id,
        changes=diff(None, {**payload, "prefix": prefix}),
        region_code=data.region_code,
    )
    read = await get_api_key(session, principal, api_key.id)
    return ApiKeyCreated(**read.model_dump(), key=key)


async def revoke_api_key(session: AsyncSession, principal: Principal, key_id: uuid.UUID) -> None:
    """Revoked keys are refused (401) from the next request on. Revoking twice is a no-op."""
    require(principal, "api_key:manage")
    api_key = await repository.get_for_update(session, principal, key_id)
    if api_key is None:
        raise _not_found()
    if api_key.revoked_at is not None:
        return
    api_key.revoked_at = utcnow()
    await session.flush()
    record_audit(
        session,
        principal,
        action="revoke",
        resource_type=RESOURCE,
        resource_id=api_key.id,
        changes={"revoked_at": {"old": None, "new": api_key.revoked_at}},
        region_code=api_key.region_code,
    )
