"""Webhook delivery: claim due deliveries, POST them signed, record the outcome.

A claim is a short transaction (``FOR UPDATE SKIP LOCKED``) that stamps the rows with a unique
claim token and an expiry; the HTTP request runs outside any transaction; the outcome is written
only if the claim still holds. A worker killed mid-request leaves rows whose claim expires and
another worker picks them up (at-least-once; receivers dedupe on ``webhook-id``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.audit.recorder import record_audit
from app.auth.principal import Principal, Role
from app.config import Settings
from app.core import logs, metrics
from app.core.clock import utcnow
from app.events import signing, targets
from app.events.outbox import emit_event
from app.models.audit import OutboxEvent
from app.models.webhook import WebhookDelivery, WebhookSubscription

log = logging.getLogger("anjian.worker.delivery")
D = WebhookDelivery
S = WebhookSubscription

WORKER_PRINCIPAL = Principal(role=Role.system, subject="worker")
CONTENT_TYPE = "application/json"


def retry_delay(settings: Settings, attempts: int, jitter: bool = True) -> timedelta:
    """Wait after the ``attempts``-th failed attempt: exponential, capped, plus up to 20 %."""
    base = settings.webhook_retry_base_seconds * 2 ** max(attempts - 1, 0)
    delay = min(base, settings.webhook_retry_max_interval_seconds)
    if jitter:
        delay += random.uniform(0, 0.2 * delay)
    return timedelta(seconds=delay)


def retry_span(settings: Settings) -> timedelta:
    """The shortest time from the first attempt to the last (jitter only adds)."""
    return sum(
        (retry_delay(settings, n, jitter=False) for n in range(1, settings.webhook_max_attempts)),
        timedelta(0),
    )


@dataclass(frozen=True)
class Claimed:
    id: uuid.UUID
    subscription_id: uuid.UUID
    event_seq: int
    event_id: uuid.UUID
    attempts: int
    token: str


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None
    permanent: bool = False  # no retry (target refused)

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def claim_lease(settings: Settings) -> timedelta:
    return timedelta(
        seconds=max(settings.webhook_claim_seconds, settings.webhook_timeout_seconds * 2 + 10)
    )


async def claim(
    session: AsyncSession,
    settings: Settings,
    worker: str,
    limit: int,
) -> list[Claimed]:
    """Claim up to ``limit`` due deliveries of active subscriptions. The caller commits."""
    now = utcnow()
    token = f"{worker}:{uuid.uuid4().hex[:12]}"
    due = (
        select(D.id)
        .join(S, S.id == D.subscription_id)
        .where(
            D.status == "pending",
            D.next_attempt_at <= now,
            S.active.is_(True),
            or_(D.claimed_until.is_(None), D.claimed_until < now),
        )
        .order_by(D.next_attempt_at, D.event_seq)
        .limit(limit)
        .with_for_update(of=D, skip_locked=True)
    )
    ids = list((await session.execute(due)).scalars())
    if not ids:
        return []
    stmt = (
        update(D)
        .where(D.id.in_(ids))
        .values(claimed_by=token, claimed_until=now + claim_lease(settings))
        .returning(D.id, D.subscription_id, D.event_seq, D.event_id, D.attempts)
    )
    rows = (await session.execute(stmt)).all()
    return [
        Claimed(r.id, r.subscription_id, r.event_seq, r.event_id, r.attempts, token)
        for r in sorted(rows, key=lambda r: r.event_seq)
    ]


def event_body(row: Any) -> bytes:
    """The CloudEvent in JSON (structured mode), exactly the bytes that are signed."""
    document = {
        "specversion": "1.0",
        "id": str(row.id),
        "source": row.source,
        "type": row.type,
        "subject": row.subject,
        "time": row.time.isoformat(),
        "datacontenttype": "application/json",
        "data": row.data,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def valid_secrets(secrets: list[dict[str, Any]], now: datetime) -> list[str]:
    return [
        s["secret"]
        for s in secrets
        if not s.get("expires_at") or datetime.fromisoformat(s["expires_at"]) > now
    ]


async def load_request(
    session: AsyncSession,
    item: Claimed,
) -> tuple[str, list[str], bytes] | None:
    sub = (
        await session.execute(select(S.url, S.secrets).where(S.id == item.subscription_id))
    ).first()
    E = OutboxEvent  # noqa: N806
    event = (
        await session.execute(
            select(E.id, E.source, E.type, E.subject, E.time, E.data).where(E.seq == item.event_seq)
        )
    ).first()
    if sub is None or event is None:
        return None
    return sub.url, valid_secrets(sub.secrets, utcnow()), event_body(event)


async def send(
    client: httpx.AsyncClient,
    settings: Settings,
    url: str,
    secrets: list[str],
    message_id: str,
    body: bytes,
) -> Outcome:
    allowed = targets.parse_networks(settings.webhook_allowed_networks)
    try:
        address = await targets.resolve_and_check(url, allowed)
    except targets.TargetRefusedError as exc:
        return Outcome(None, f"target refused: {exc}"[:500], permanent=exc.permanent)
    # Connect to the address that was checked (a second DNS answer could differ).
    pinned_url, host_header, extensions = targets.pin(url, address)
    timestamp = int(utcnow().timestamp())
    headers = {
        "content-type": CONTENT_TYPE,
        "user-agent": "Anjian-Webhooks/1.0",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.signature_header(secrets, message_id, timestamp, body),
        **host_header,
    }
    try:
        async with client.stream(
            "POST", pinned_url, content=body, headers=headers, extensions=extensions
        ) as response:
            return Outcome(
                response.status_code,
                None if response.is_success else f"HTTP {response.status_code}",
            )
    except httpx.TimeoutException as exc:
        return Outcome(None, f"timeout ({type(exc).__name__})")
    except httpx.HTTPError as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:500])


async def record(
    session: AsyncSession, settings: Settings, item: Claimed, outcome: Outcome
) -> str | None:
    """Write the outcome if our claim still holds; returns the new status (None: claim lost)."""
    now = utcnow()
    attempts = item.attempts + 1
    values: dict[str, Any] = {
        "attempts": attempts,
        "last_attempt_at": now,
        "last_status_code": outcome.status_code,
        "last_error": outcome.error,
        "claimed_by": None,
        "claimed_until": None,
    }
    gone = outcome.status_code == 410
    if outcome.ok:
        values.update(status="succeeded", delivered_at=now)
    elif gone or outcome.permanent or attempts >= settings.webhook_max_attempts:
        values.update(status="failed")
        if gone:
            values["last_error"] = "receiver gone (HTTP 410): subscription disabled"
    else:
        values.update(status="pending", next_attempt_at=now + retry_delay(settings, attempts))
    result = await session.execute(
        update(D)
        .where(and_(D.id == item.id, D.claimed_by == item.token))
        .values(**values)
        .returning(D.id)
    )
    if result.first() is None:
        return None
    if gone:
        await disable_subscription(session, item.subscription_id, "receiver_gone")
    return str(values["status"])


async def disable_subscription(
    session: AsyncSession, subscription_id: uuid.UUID, reason: str
) -> None:
    sub = (
        await session.execute(select(S).where(S.id == subscription_id).with_for_update())
    ).scalar_one_or_none()
    if sub is None or not sub.active:
        return
    sub.active = False
    sub.disabled_reason = reason
    sub.updated_at = utcnow()
    await session.flush()
    record_audit(
        session,
        WORKER_PRINCIPAL,
        action="disable",
        resource_type="webhook_subscription",
        resource_id=sub.id,
        changes={
            "active": {"old": True, "new": False},
            "disabled_reason": {"old": None, "new": reason},
        },
        region_code=sub.region_code,
    )
    emit_event(
        session,
        "webhook_subscription.disabled",
        resource_type="webhook_subscription",
        resource_id=sub.id,
        data={"version": sub.version, "active": False, "reason": reason},
        region_code=sub.region_code,
        sectors=list(sub.sectors) if sub.sectors else None,
    )


def http_client(settings: Settings) -> httpx.AsyncClient:
    timeout = settings.webhook_timeout_seconds
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
        follow_redirects=False,
        trust_env=False,
        limits=httpx.Limits(max_connections=settings.webhook_concurrency * 2),
    )


async def deliver_due(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    client: httpx.AsyncClient,
    worker: str,
) -> int:
    """Claim one round (as many as may run at once), send concurrently, record. Returns the
    number of deliveries attempted."""
    async with sessionmaker() as session, session.begin():
        claimed = await claim(session, settings, worker, settings.webhook_concurrency)
    if not claimed:
        return 0

    async def one(item: Claimed) -> None:
        async with sessionmaker() as session:
            request = await load_request(session, item)
        if request is None:
            outcome = Outcome(None, "event or subscription no longer exists", permanent=True)
        else:
            url, secrets, body = request
            outcome = await send(client, settings, url, secrets, str(item.event_id), body)
        async with sessionmaker() as session, session.begin():
            status = await record(session, settings, item, outcome)
        outcome_label = "lost" if status is None else "retry" if status == "pending" else status
        metrics.WEBHOOK_DELIVERIES.labels(outcome_label).inc()
        log.info(
            "delivery %s -> %s (%s)",
            item.id,
            outcome_label,
            outcome.status_code or outcome.error,
            extra=logs.event(
                "delivery",
                worker=worker,
                delivery_id=str(item.id),
                subscription_id=str(item.subscription_id),
                event_id=str(item.event_id),
                attempt=item.attempts + 1,
                outcome=outcome_label,
                http_status=outcome.status_code,
                error=outcome.error,
            ),
        )

    await asyncio.gather(*(one(item) for item in claimed))
    return len(claimed)
