"""API keys for other government systems over HTTP (administrators only)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.api_keys import service
from app.api_keys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyFilter, ApiKeyPage, ApiKeyRead
from app.auth.dependencies import PrincipalDep, SessionDep, SettingsDep
from app.core.problems import problems

router = APIRouter(prefix="/api-keys", tags=["api-keys"])


@router.get("", response_model=ApiKeyPage, responses=problems(403))
async def list_api_keys(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[ApiKeyFilter, Query()],
) -> ApiKeyPage:
    """Keys with their scope and last use (never the secret); `changed_since` syncs (a use
    alone is not a change)."""
    return await service.list_api_keys(session, settings, principal, query)


@router.post(
    "", response_model=ApiKeyCreated, status_code=status.HTTP_201_CREATED, responses=problems(403)
)
async def create_api_key(
    data: ApiKeyCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
) -> ApiKeyCreated:
    """Create a key. The response carries the full key (`ak_<prefix>_<secret>`) this once
    only; only its SHA-256 hash is stored. Send it as `X-API-Key`. The response is marked
    `Cache-Control: no-store`, so an `Idempotency-Key` retry never creates a second key and
    never replays the secret: it answers 409 `idempotency_not_replayable` (revoke the unseen
    key and create another)."""
    created = await service.create_api_key(session, principal, data)
    response.headers["Location"] = f"/api/v1/api-keys/{created.id}"
    response.headers["Cache-Control"] = "no-store"
    return created


@router.get("/{api_key_id}", response_model=ApiKeyRead, responses=problems(403, 404))
async def get_api_key(
    api_key_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> ApiKeyRead:
    return await service.get_api_key(session, principal, api_key_id)


@router.delete(
    "/{api_key_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problems(403, 404)
)
async def revoke_api_key(
    api_key_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Response:
    """Revoke: the key is refused (401) from now on; the record stays for the audit trail."""
    await service.revoke_api_key(session, principal, api_key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
