"""FastAPI dependencies: the request's session and the calling principal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import repository, service
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


async def _read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session for GET endpoints that only read (no transaction; see app.db). The commit
    writes the audit rows of what the read showed, if any, before the response is sent."""
    async with request.app.state.read_sessionmaker() as session:
        yield session
        await session.commit()


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
    cached = cache.get(credential)
    if cached is not None:
        async with request.app.state.read_sessionmaker() as session:
            stamp = await _stamp(session, cached[0])
        if stamp == cached[1]:
            return cached[0]
        cache.drop(credential)
    principal, stamp = await _resolve_principal(request, bearer is not None, credential)
    cache.put(credential, principal, stamp)
    return principal


async def _stamp(session: AsyncSession, principal: Principal) -> tuple[object, ...]:
    return await repository.credential_stamp(
        session,
        subject=principal.subject,
        person_id=principal.person_id,
        department_id=principal.department_id,
        api_key_id=principal.api_key_id,
    )


async def _resolve_principal(
    request: Request, is_bearer: bool, credential: str
) -> tuple[Principal, tuple[object, ...]]:
    """Who the credential is, in a short transaction of its own (it may record an API key's
    last use): a cached principal then costs a request one stamp query."""
    settings: Settings = request.app.state.settings
    async with request.app.state.sessionmaker() as session:
        if is_bearer:
            verifier: TokenVerifier = request.app.state.token_verifier
            principal = await service.principal_from_token(
                session,
                verifier,
                credential,
                claims_without_record=settings.idp_claims_without_record,
            )
        else:
            principal = await service.principal_from_api_key(
                session, credential, touch_seconds=settings.api_key_touch_seconds
            )
        stamp = await _stamp(session, principal) if cache_enabled(request) else ()
        await session.commit()
    return principal, stamp


def cache_enabled(request: Request) -> bool:
    cache: PrincipalCache = request.app.state.principal_cache
    return cache.ttl > 0


PrincipalDep = Annotated[Principal, Depends(current_principal)]
