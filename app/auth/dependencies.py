"""FastAPI dependencies: the request's session and the calling principal."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from app import references
from app.auth import repository, service
from app.auth.cache import PrincipalCache
from app.auth.principal import Principal
from app.auth.scope import unseen_reference_error
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
    async with request.app.state.sessionmaker() as session:
        await clock.refresh(session, environment)


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request, committed once before the response is sent (with the
    Idempotency-Key's fence, so the key and the writes commit together). The drill clock is
    reloaded first (development and test only; see app.core.clock)."""
    async with request.app.state.sessionmaker() as session:
        event.listen(session.sync_session, "after_begin", _refuse_unseen(request))
        try:
            await _refresh_clock(request)
            yield session
            unseen = getattr(request.state, "unseen_references", None)
            if unseen:  # a service that wrote without a query first: never committed either
                raise unseen_reference_error(unseen)
            await fence(session, request.scope)
            request.scope[COMMITTING] = True  # from here a lost connection may have committed
            await session.commit()
        except BaseException as exc:
            await end_failed(session, exc)
            raise


def _refuse_unseen(request: Request) -> Callable[..., None]:
    """The session's first use (ORM or Core, it begins the transaction) refuses a request whose
    body names an unseen record."""

    def refuse(*_: object) -> None:
        unseen = getattr(request.state, "unseen_references", None)
        if unseen:
            raise unseen_reference_error(unseen)

    return refuse


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
    principal: Principal | None = None
    cached = cache.get(credential)
    if cached is not None:
        async with request.app.state.sessionmaker() as session:
            stamp = await _stamp(session, cached[0])
        if stamp == cached[1]:
            principal = cached[0]
        else:
            cache.drop(credential)
    if principal is None:
        principal, stamp = await _resolve_principal(request, bearer is not None, credential)
        cache.put(credential, principal, stamp)
    if request.method in references.WRITE_METHODS:
        errors = await _unseen_references(request, principal)
        if errors:
            request.state.unseen_references = errors
    return principal


async def _unseen_references(request: Request, principal: Principal) -> list[dict[str, Any]]:
    """Every id the body names must be one the caller can see (``app.references``). The answer
    (422 ``reference_not_found`` naming each field) comes from the request's session when the
    service first uses it, or at the commit at the latest: the service's checks on the caller
    alone (403) come first, and no rule of the service sees an unseen reference."""
    content_type = request.headers.get("content-type", "")
    body: Any
    try:
        if content_type.startswith("application/json"):
            body = await request.json()
        elif content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            form = await request.form()
            body = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        else:
            return []
    except ValueError:
        return []  # malformed bodies are the route's own 400/422
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    async with request.app.state.sessionmaker() as session:
        return await references.unseen_references(session, principal, request.method, path, body)


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
