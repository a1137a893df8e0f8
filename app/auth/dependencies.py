"""FastAPI dependencies: the request's session and the calling principal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import service
from app.auth.cache import PrincipalCache
from app.auth.principal import Principal
from app.auth.tokens import TokenVerifier
from app.config import Settings
from app.core.errors import Unauthorized

bearer_scheme = HTTPBearer(auto_error=False, description="OIDC-style JWT (RS256/ES256)")
api_key_scheme = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="API key of another government system"
)


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request, committed once before the response is sent."""
    async with request.app.state.sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


async def current_principal(
    request: Request,
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
    api_key: Annotated[str | None, Security(api_key_scheme)],
) -> Principal:
    cache: PrincipalCache = request.app.state.principal_cache
    if bearer is not None:
        principal = cache.get(bearer.credentials)
        if principal is None:
            verifier: TokenVerifier = request.app.state.token_verifier
            principal = await service.principal_from_token(session, verifier, bearer.credentials)
            cache.put(bearer.credentials, principal)
        return principal
    if api_key:
        principal = cache.get(api_key)
        if principal is None:
            settings: Settings = request.app.state.settings
            principal = await service.principal_from_api_key(
                session, api_key, touch_seconds=settings.api_key_touch_seconds
            )
            cache.put(api_key, principal)
        return principal
    raise Unauthorized("Authentication is required", "需要身份认证", code="unauthenticated")


PrincipalDep = Annotated[Principal, Depends(current_principal)]
