"""FastAPI dependencies: the request's session and the calling principal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import service
from app.auth.cache import PrincipalCache
from app.auth.principal import Principal
from app.auth.tokens import TokenVerifier
from app.config import Settings
from app.core import clock
from app.core.errors import Unauthorized
from app.core.idempotency import fence
from app.core.resilience import COMMITTING
from app.db import end_failed

bearer_scheme = HTTPBearer(auto_error=False, description="OIDC-style JWT (RS256/ES256)")
api_key_scheme = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="API key of another government system"
)


async def _refresh_clock(request: Request) -> None:
    """Reload the drill clock (development and test only) in a session of its own, so the
    request's session holds no connection until the request itself uses the database."""
    environment = request.app.state.settings.environment
    if environment == clock.PRODUCTION:
        clock.set_drill_offset(timedelta(0))  # never moved there, whatever the database holds
        return
    async with request.app.state.read_sessionmaker() as session:
        await clock.refresh(session, environment)


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request, committed once before the response is sent (with the
    Idempotency-Key's fence, so the key and the writes commit together). The drill clock is
    reloaded first (development and test only; see app.core.clock)."""
    async with request.app.state.sessionmaker() as session:
        try:
            await _refresh_clock(request)
            yield session
            await fence(session, request.scope)
            request.scope[COMMITTING] = True  # from here a lost connection may have committed
            await session.commit()
        except BaseException as exc:
            await end_failed(session, exc)
            raise


SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]


async def _read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session for GET endpoints that only read (no transaction; see app.db). The commit
    writes the audit rows of what the read showed, if any, before the response is sent."""
    async with request.app.state.read_sessionmaker() as session:
        try:
            await _refresh_clock(request)
            yield session
            await session.commit()
        except BaseException as exc:
            await end_failed(session, exc)
            raise


ReadSessionDep = Annotated[AsyncSession, Depends(_read_session, scope="function")]


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


async def current_principal(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
    api_key: Annotated[str | None, Security(api_key_scheme)],
) -> Principal:
    cache: PrincipalCache = request.app.state.principal_cache
    credential = bearer.credentials if bearer is not None else api_key
    if not credential:
        raise Unauthorized("Authentication is required", "需要身份认证", code="unauthenticated")
    principal = cache.get(credential)
    if principal is None:
        principal = await _resolve_principal(request, bearer is not None, credential)
        cache.put(credential, principal)
    return principal


async def _resolve_principal(request: Request, is_bearer: bool, credential: str) -> Principal:
    """Who the credential is, in a short transaction of its own (it may record a first sign-in
    or an API key's last use): a cached principal then costs a request no database work."""
    async with request.app.state.sessionmaker() as session:
        if is_bearer:
            verifier: TokenVerifier = request.app.state.token_verifier
            principal = await service.principal_from_token(session, verifier, credential)
        else:
            settings: Settings = request.app.state.settings
            principal = await service.principal_from_api_key(
                session, credential, touch_seconds=settings.api_key_touch_seconds
            )
        await session.commit()
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]
