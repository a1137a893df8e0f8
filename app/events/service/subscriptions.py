"""Webhook subscriptions: rules, scope on write, audit and events."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import diff, record_audit
from app.auth.principal import Principal, Role
from app.auth.scope import require
from app.config import Settings
from app.core.clock import utcnow
from app.core.concurrency import check_version
from app.core.creation import ensure_same_create
from app.core.errors import Conflict, Forbidden, NotFound, Unprocessable, reject_nulls
from app.core.ids import new_id
from app.core.listing import ListSpec, SyncView, run_list
from app.events import repository, signing, targets
from app.events.outbox import emit_event
from app.events.schemas import (
    URL_MAX_LENGTH,
    WebhookSecretRotated,
    WebhookSubscriptionCreate,
    WebhookSubscriptionFilter,
    WebhookSubscriptionPage,
    WebhookSubscriptionRead,
    WebhookSubscriptionUpdate,
)
from app.models.webhook import WebhookSubscription
from app.reference.service import ensure_region

RESOURCE = "webhook_subscription"
_FIELDS = ("url", "description", "event_types", "region_code", "sectors", "active")
SUBSCRIPTION_SPEC = ListSpec(
    "webhook_subscription",
    repository.SUBSCRIPTION_SORTABLE,
    "created_at",
    WebhookSubscription.id,
    WebhookSubscription.sync_xid,
    WebhookSubscription.sync_seq,
)


def _ensure_can_manage(principal: Principal, *, write: bool = False) -> None:
    """Administrators manage every subscription; a system client its own. Creating, changing,
    rotating, deleting and redelivering need ``webhook:subscribe``, which a read-only key lacks
    (``policy.READ_ONLY_KEY_PERMISSIONS``): read-only keys are read-only everywhere."""
    if principal.role is Role.admin:
        require(principal, "webhook:manage")
        return
    if principal.role is Role.system and principal.api_key_id is not None:
        require(principal, "webhook:subscribe" if write else "event:read")
        return
    raise Forbidden(
        "Only administrators and system clients (for themselves) manage webhook subscriptions",
        "仅系统管理员或外部系统（为其自身）可以管理事件订阅",
        code="permission_denied",
    )


def _not_found() -> NotFound:
    return NotFound(
        "Webhook subscription not found", "事件订阅不存在", code="webhook_subscription_not_found"
    )


def _check_url(settings: Settings, url: str) -> None:
    if len(url) > URL_MAX_LENGTH:  # normalising (IDNA, percent-encoding) may lengthen it
        raise Unprocessable.field(
            ["body", "url"],
            f"URL should have at most {URL_MAX_LENGTH} characters",
            "url_too_long",
            f"URL 不能超过 {URL_MAX_LENGTH} 个字符",
        )
    try:
        targets.check_literal(url, targets.parse_networks(settings.webhook_allowed_networks))
    except targets.TargetRefusedError as exc:
        raise Unprocessable.field(
            ["body", "url"],
            f"This target is not allowed: {exc}",
            "webhook_target_refused",
            "不允许向该地址推送（内网、本机或链路本地地址）",
            code="webhook_target_refused",
        ) from exc


def _check_filters(
    principal: Principal, region_code: str | None, sectors: list[str] | None
) -> tuple[str | None, list[str] | None]:
    """A system client subscribes only within its own key's scope (the defaults)."""
    if principal.role is not Role.system:
        return region_code, sectors
    if principal.region_code:
        region_code = region_code or principal.region_code
        if not region_code.startswith(principal.region_code):
            raise Unprocessable.field(
                ["body", "region_code"],
                "The region filter must lie within your API key's region",
                "out_of_scope",
                "区划过滤条件须在本密钥的管辖区划内",
                code="out_of_scope",
            )
    if principal.sectors is not None:
        sectors = sectors or sorted(principal.sectors)
        if not set(sectors) <= principal.sectors:
            raise Unprocessable.field(
                ["body", "sectors"],
                "The sector filter must lie within your API key's sectors",
                "out_of_scope",
                "行业过滤条件须在本密钥的行业范围内",
                code="out_of_scope",
            )
    return region_code, sectors


def _snapshot(sub: WebhookSubscription) -> dict[str, Any]:
    return {f: getattr(sub, f) for f in _FIELDS}


def _emit(session: AsyncSession, event_type: str, sub: WebhookSubscription) -> None:
    emit_event(
        session,
        event_type,
        resource_type=RESOURCE,
        resource_id=sub.id,
        data={"version": sub.version, "active": sub.active, "url": sub.url},
        region_code=sub.region_code,
        sectors=list(sub.sectors) if sub.sectors else None,
    )


async def get_subscription(
    session: AsyncSession,
    principal: Principal,
    subscription_id: uuid.UUID,
    *,
    write: bool = False,
) -> WebhookSubscriptionRead:
    _ensure_can_manage(principal, write=write)
    row = await repository.get_subscription_row(session, principal, subscription_id)
    if row is None:
        raise _not_found()
    return WebhookSubscriptionRead.model_validate(row)


async def list_subscriptions(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    query: WebhookSubscriptionFilter,
) -> WebhookSubscriptionPage:
    _ensure_can_manage(principal)
    scoped = repository.visible_subscriptions(principal)
    stmt = scoped
    if query.active is not None:
        stmt = stmt.where(repository.S.active.is_(query.active))
    listed = await run_list(
        session,
        settings,
        SUBSCRIPTION_SPEC,
        stmt,
        filters=query.model_dump(exclude={"sort", "limit", "cursor", "changed_since"}),
        sort=query.sort,
        cursor=query.cursor,
        limit=query.limit,
        changed_since=query.changed_since,
        view=SyncView(principal, scoped, repository.subscription_was_visible(principal)),
    )
    items = [WebhookSubscriptionRead.model_validate(r) for r in listed.rows]
    return WebhookSubscriptionPage(
        items=items, next_cursor=listed.next_cursor, removed=listed.removed
    )


async def create_subscription(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    data: WebhookSubscriptionCreate,
) -> tuple[WebhookSubscriptionRead, str | None]:
    """Returns the subscription and its secret (None when an identical create is repeated)."""
    _ensure_can_manage(principal, write=True)
    url = str(data.url)
    _check_url(settings, url)
    sectors = [s.value for s in data.sectors] if data.sectors else None
    region_code, sectors = _check_filters(principal, data.region_code, sectors)
    if data.region_code:
        await ensure_region(session, data.region_code, ["body", "region_code"])
    payload = {
        "url": url,
        "description": data.description,
        "event_types": data.event_types,
        "region_code": region_code,
        "sectors": sectors,
        "active": data.active,
    }
    if data.id is not None:
        existing = await repository.get_any_subscription(session, data.id)
        if existing is not None:
            if (
                principal.role is not Role.admin
                and existing.owner_api_key_id != principal.api_key_id
            ):
                raise Conflict("This id is already taken", "该标识已被占用", code="id_taken")
            replayed = await get_subscription(session, principal, data.id)
            ensure_same_create(_snapshot(existing), payload)
            return replayed, None
    secret = signing.new_secret()
    now = utcnow()
    sub = WebhookSubscription(
        id=data.id or new_id(),
        **payload,
        secrets=[{"secret": secret, "created_at": now.isoformat(), "expires_at": None}],
        owner_api_key_id=principal.api_key_id if principal.role is Role.system else None,
        created_by=principal.actor_label,
        created_at=now,
        updated_at=now,
    )
    session.add(sub)
    await session.flush()
    record_audit(
        session,
        principal,
        action="create",
        resource_type=RESOURCE,
        resource_id=sub.id,
        changes=diff(None, payload),
        region_code=sub.region_code,
    )
    _emit(session, "webhook_subscription.created", sub)
    return await get_subscription(session, principal, sub.id), secret


async def _locked(
    session: AsyncSession,
    principal: Principal,
    subscription_id: uuid.UUID,
    expected_version: int | None,
) -> WebhookSubscription:
    sub = await repository.get_subscription_for_update(session, principal, subscription_id)
    if sub is None:
        raise _not_found()
    check_version(expected_version, sub.version)
    return sub


async def update_subscription(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    subscription_id: uuid.UUID,
    data: WebhookSubscriptionUpdate,
    expected_version: int | None,
) -> WebhookSubscriptionRead:
    _ensure_can_manage(principal, write=True)
    sub = await _locked(session, principal, subscription_id, expected_version)
    changes_in = data.model_dump(exclude_unset=True, mode="json")
    reject_nulls(changes_in, ("url", "active"))
    if "url" in changes_in:
        _check_url(settings, changes_in["url"])
    if "event_types" in changes_in and changes_in["event_types"] is None:
        changes_in["event_types"] = []
    if "region_code" in changes_in or "sectors" in changes_in:
        region, sectors = _check_filters(
            principal,
            changes_in.get("region_code", sub.region_code),
            changes_in.get("sectors", sub.sectors),
        )
        changes_in["region_code"], changes_in["sectors"] = region, sectors
        if changes_in.get("region_code") and changes_in["region_code"] != sub.region_code:
            await ensure_region(session, changes_in["region_code"], ["body", "region_code"])
    before = _snapshot(sub)
    for key, value in changes_in.items():
        setattr(sub, key, value)
    if changes_in.get("active"):
        sub.disabled_reason = None
    changes = diff(before, _snapshot(sub))
    if changes:
        sub.updated_at = utcnow()
        await session.flush()
        record_audit(
            session,
            principal,
            action="update",
            resource_type=RESOURCE,
            resource_id=sub.id,
            changes=changes,
            region_code=sub.region_code,
        )
        _emit(session, "webhook_subscription.updated", sub)
    return await get_subscription(session, principal, sub.id)


async def delete_subscription(
    session: AsyncSession,
    principal: Principal,
    subscription_id: uuid.UUID,
    expected_version: int | None,
) -> None:
    """Hard delete: the subscription, its secrets and its delivery log go."""
    _ensure_can_manage(principal, write=True)
    sub = await _locked(session, principal, subscription_id, expected_version)
    record_audit(
        session,
        principal,
        action="delete",
        resource_type=RESOURCE,
        resource_id=sub.id,
        changes=diff(_snapshot(sub), None),
        region_code=sub.region_code,
    )
    _emit(session, "webhook_subscription.deleted", sub)
    await session.delete(sub)
    await session.flush()


async def rotate_secret(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    subscription_id: uuid.UUID,
    expected_version: int | None,
) -> WebhookSecretRotated:
    """A new secret; the older ones keep signing for the rotation window (several signatures)."""
    _ensure_can_manage(principal, write=True)
    sub = await _locked(session, principal, subscription_id, expected_version)
    now = utcnow()
    until = now + timedelta(hours=settings.webhook_secret_rotation_hours)
    kept = []
    for entry in sub.secrets:
        expires = datetime.fromisoformat(entry["expires_at"]) if entry.get("expires_at") else None
        if expires is None or expires > now:
            kept.append({**entry, "expires_at": min(expires or until, until).isoformat()})
    secret = signing.new_secret()
    sub.secrets = [{"secret": secret, "created_at": now.isoformat(), "expires_at": None}, *kept]
    sub.updated_at = now
    await session.flush()
    record_audit(
        session,
        principal,
        action="rotate_secret",
        resource_type=RESOURCE,
        resource_id=sub.id,
        changes={"secret": {"old": "***", "new": "***"}},
        region_code=sub.region_code,
    )
    _emit(session, "webhook_subscription.secret_rotated", sub)
    return WebhookSecretRotated(secret=secret, previous_secrets_valid_until=until if kept else None)
