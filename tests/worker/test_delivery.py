"""Webhook deliveries to a real local receiver, through the worker, with real commits."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from prometheus_client import REGISTRY
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.config import Settings
from app.core import clock
from app.core.clock import utcnow
from app.events import signing
from app.events.outbox import emit_event
from app.models.webhook import WebhookDelivery, WebhookSubscription
from app.worker import delivery
from app.worker.runner import Worker
from tests.events.builders import Receiver, committed
from tests.factories import COUNTY, OTHER_COUNTY, TOWN

Maker = async_sessionmaker[AsyncSession]


def worker_settings(settings: Settings, **overrides: Any) -> Settings:
    return settings.model_copy(
        update={
            "webhook_allowed_networks": ["127.0.0.1/32"],
            "webhook_timeout_seconds": 0.5,
            "webhook_claim_seconds": 30,
            "webhook_retry_base_seconds": 30.0,
            **overrides,
        }
    )


async def add_subscription(
    maker: Maker, url: str, *, secrets: list[str] | None = None, **fields: Any
) -> tuple[uuid.UUID, list[str]]:
    secrets = secrets or [signing.new_secret()]
    sub_id = uuid.uuid4()
    async with maker() as session, session.begin():
        session.add(
            WebhookSubscription(
                id=sub_id,
                url=url,
                event_types=fields.pop("event_types", []),
                secrets=[
                    {"secret": s, "created_at": utcnow().isoformat(), "expires_at": None}
                    for s in secrets
                ],
                created_by="test",
                created_at=utcnow() - timedelta(seconds=1),
                **fields,
            )
        )
    return sub_id, secrets


async def add_events(
    maker: Maker,
    n: int = 1,
    *,
    event_type: str = "hazard.overdue",
    region_code: str = TOWN,
    sectors: list[str] | None = None,
) -> list[str]:
    ids = []
    async with maker() as session, session.begin():
        for i in range(n):
            resource = uuid.uuid4()
            emit_event(
                session,
                event_type,
                resource_type="hazard",
                resource_id=resource,
                data={"status": "rectifying", "version": i + 1},
                region_code=region_code,
                sectors=sectors or ["hazchem"],
            )
            ids.append(resource)
        await session.flush()
    async with maker() as session:
        from app.models.audit import OutboxEvent

        rows = await session.execute(
            select(OutboxEvent.id)
            .where(OutboxEvent.subject.in_([f"hazard/{r}" for r in ids]))
            .order_by(OutboxEvent.seq)
        )
        return [str(r) for r in rows.scalars()]


async def deliveries(maker: Maker, sub_id: uuid.UUID) -> list[WebhookDelivery]:
    async with maker() as session:
        rows = await session.execute(
            select(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == sub_id)
            .order_by(WebhookDelivery.event_seq)
        )
        return list(rows.scalars())


async def until(
    check: Callable[[], Awaitable[bool]], step: Callable[[], Awaitable[Any]], steps: int = 3
) -> None:
    """Run the worker's step until the expected state is reached, a few passes at most and no
    waiting: the outbox horizon counts only this database's transactions (app/core/horizon.py),
    so nothing outside the test can hold it back, and each pass awaits its deliveries."""
    for _ in range(steps):
        await step()
        if await check():
            return
    raise AssertionError(f"condition not reached in {steps} passes")


def test_retries_span_more_than_a_day(settings: Settings) -> None:
    assert delivery.retry_span(settings) >= timedelta(hours=24)
    delays = [delivery.retry_delay(settings, n, jitter=False) for n in range(1, 5)]
    assert delays == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    jittered = delivery.retry_delay(settings, 3)
    assert timedelta(seconds=120) <= jittered <= timedelta(seconds=144)


async def test_signed_delivery_with_filters(engine: AsyncEngine, settings: Settings) -> None:
    cfg = worker_settings(settings)
    async with committed(engine) as maker, Receiver() as receiver:
        old, new = signing.new_secret(), signing.new_secret()
        sub_id, _ = await add_subscription(
            maker,
            receiver.url,
            secrets=[new, old],
            region_code=COUNTY,
            sectors=["hazchem"],
            event_types=["gov.anjian.hazard.*"],
        )
        elsewhere, _ = await add_subscription(maker, receiver.url, region_code=OTHER_COUNTY)
        other_sector, _ = await add_subscription(maker, receiver.url, sectors=["coal"])
        other_type, _ = await add_subscription(
            maker, receiver.url, event_types=["gov.anjian.visit.created"]
        )
        event_ids = await add_events(maker, 2)
        worker = Worker(cfg, maker, clock=False)
        try:

            async def done() -> bool:
                return len(receiver.requests) >= 2

            await until(done, worker.tick)
            await worker.tick()
        finally:
            await worker.close()
        assert sorted(receiver.event_ids()) == sorted(event_ids)  # concurrent: any order
        for request in receiver.requests:
            headers, body = request["headers"], request["body"]
            assert headers["content-type"] == "application/json"
            assert headers["webhook-signature"].count("v1,") == 2  # rotation: both secrets
            assert signing.verify(new, headers, body)
            assert signing.verify(old, headers, body)
            assert not signing.verify(signing.new_secret(), headers, body)
            event = json.loads(body)
            assert headers["webhook-id"] == event["id"]
            assert event["specversion"] == "1.0"
            assert event["type"] == "gov.anjian.hazard.overdue"
            assert event["data"]["version"] in (1, 2)
        log = await deliveries(maker, sub_id)
        assert [(d.status, d.attempts, d.last_status_code) for d in log] == [
            ("succeeded", 1, 200),
            ("succeeded", 1, 200),
        ]
        for filtered in (elsewhere, other_sector, other_type):
            assert await deliveries(maker, filtered) == []


def delivered(outcome: str) -> float:
    """The worker's ``anjian_webhook_deliveries_total`` for one outcome (its metrics port)."""
    value = REGISTRY.get_sample_value("anjian_webhook_deliveries_total", {"outcome": outcome})
    return value or 0.0


async def test_retry_after_500_and_timeout(engine: AsyncEngine, settings: Settings) -> None:
    cfg = worker_settings(settings)
    retries, successes = delivered("retry"), delivered("succeeded")
    async with committed(engine) as maker, Receiver(script=[500, "hang", 200]) as receiver:
        sub_id, (secret,) = await add_subscription(maker, receiver.url)
        await add_events(maker, 1)
        worker = Worker(cfg, maker, clock=False)
        try:

            async def attempted(n: int) -> Callable[[], Awaitable[bool]]:
                async def check() -> bool:
                    log = await deliveries(maker, sub_id)
                    return bool(log) and log[0].attempts >= n

                return check

            await until(await attempted(1), worker.tick)
            (first,) = await deliveries(maker, sub_id)
            assert (first.status, first.last_status_code, first.last_error) == (
                "pending",
                500,
                "HTTP 500",
            )
            assert first.next_attempt_at >= utcnow() + timedelta(seconds=25)
            await worker.tick()  # not due yet: nothing sent
            assert len(receiver.requests) == 1
            clock.set_offset(timedelta(minutes=2))
            await until(await attempted(2), worker.tick)
            (second,) = await deliveries(maker, sub_id)
            assert second.status == "pending"
            assert second.last_status_code is None
            assert second.last_error is not None
            assert second.last_error.startswith("timeout")
            clock.set_offset(timedelta(minutes=10))
            await until(await attempted(3), worker.tick)
            (third,) = await deliveries(maker, sub_id)
            assert (third.status, third.attempts, third.last_status_code) == ("succeeded", 3, 200)
            assert third.delivered_at is not None
        finally:
            await worker.close()
        assert len(receiver.requests) == 3
        assert (delivered("retry") - retries, delivered("succeeded") - successes) == (2, 1)
        assert len(set(receiver.event_ids())) == 1  # the same webhook-id every time
        assert all(signing.verify(secret, r["headers"], r["body"]) for r in receiver.requests)


async def test_gone_disables_and_retries_run_out(engine: AsyncEngine, settings: Settings) -> None:
    cfg = worker_settings(settings, webhook_max_attempts=2)
    async with (
        committed(engine) as maker,
        Receiver(default=410) as gone,
        Receiver(default=503) as broken,
    ):
        gone_id, _ = await add_subscription(maker, gone.url)
        broken_id, _ = await add_subscription(
            maker, broken.url, event_types=["gov.anjian.hazard.*"]
        )
        await add_events(maker, 1)
        worker = Worker(cfg, maker, clock=False)
        try:

            async def gone_done() -> bool:
                log = await deliveries(maker, gone_id)
                return bool(log) and log[0].status != "pending"

            await until(gone_done, worker.tick)
            async with maker() as session:
                sub = await session.get(WebhookSubscription, gone_id)
                assert sub is not None
                assert (sub.active, sub.disabled_reason) == (False, "receiver_gone")
            (dead,) = await deliveries(maker, gone_id)
            assert (dead.status, dead.last_status_code) == ("failed", 410)
            # later events are not queued for the disabled subscription
            await add_events(maker, 1)

            async def broken_two() -> bool:
                return len(await deliveries(maker, broken_id)) == 2

            await until(broken_two, worker.tick)
            assert len(await deliveries(maker, gone_id)) == 1
            clock.set_offset(timedelta(minutes=5))

            async def broken_done() -> bool:
                return all(d.status == "failed" for d in await deliveries(maker, broken_id))

            await until(broken_done, worker.tick)
        finally:
            await worker.close()
        assert len(gone.requests) == 1
        assert [(d.status, d.attempts) for d in await deliveries(maker, broken_id)] == [
            ("failed", 2),
            ("failed", 2),
        ]


async def test_two_workers_deliver_each_event_once(engine: AsyncEngine, settings: Settings) -> None:
    cfg = worker_settings(settings, webhook_concurrency=3, webhook_batch_size=7)
    async with committed(engine) as maker, Receiver() as receiver:
        sub_id, _ = await add_subscription(maker, receiver.url)
        event_ids = await add_events(maker, 25)
        first = Worker(cfg, maker, clock=False, name="first")
        second = Worker(cfg, maker, clock=False, name="second")

        async def both() -> None:
            await asyncio.gather(first.tick(), second.tick(), first.tick(), second.tick())

        async def all_delivered() -> bool:
            log = await deliveries(maker, sub_id)
            return len(log) == 25 and all(d.status == "succeeded" for d in log)

        try:
            await until(all_delivered, both)
            await both()
        finally:
            await first.close()
            await second.close()
        assert sorted(receiver.event_ids()) == sorted(event_ids)  # each exactly once


async def test_a_killed_workers_claim_expires(engine: AsyncEngine, settings: Settings) -> None:
    cfg = worker_settings(settings)
    async with committed(engine) as maker, Receiver() as receiver:
        sub_id, _ = await add_subscription(maker, receiver.url)
        await add_events(maker, 1)
        survivor = Worker(cfg, maker, clock=False, name="survivor")
        try:

            async def queued() -> bool:
                return len(await deliveries(maker, sub_id)) == 1

            await until(queued, survivor.fan_out)
            async with maker() as session, session.begin():  # the worker that dies
                claimed = await delivery.claim(session, cfg, "doomed", 10)
            assert len(claimed) == 1
            await survivor.tick()
            assert receiver.requests == []  # the claim still holds
            clock.set_offset(delivery.claim_lease(cfg) + timedelta(seconds=1))
            await survivor.tick()
        finally:
            await survivor.close()
        assert len(receiver.requests) == 1
        (done,) = await deliveries(maker, sub_id)
        assert done.status == "succeeded"
        # the dead worker's late report is ignored (its claim is gone)
        async with maker() as session, session.begin():
            status = await delivery.record(
                session, cfg, claimed[0], delivery.Outcome(500, "HTTP 500")
            )
        assert status is None


async def test_internal_targets_refused_at_delivery(
    engine: AsyncEngine, settings: Settings
) -> None:
    cfg = worker_settings(settings, webhook_allowed_networks=[])  # loopback not allowed here
    async with committed(engine) as maker, Receiver() as receiver:
        sub_id, _ = await add_subscription(maker, receiver.url)
        await add_events(maker, 1)
        worker = Worker(cfg, maker, clock=False)
        try:

            async def refused() -> bool:
                log = await deliveries(maker, sub_id)
                return bool(log) and log[0].status == "failed"

            await until(refused, worker.tick)
        finally:
            await worker.close()
        (dead,) = await deliveries(maker, sub_id)
        assert dead.last_error is not None
        assert dead.last_error.startswith("target refused")
        assert receiver.requests == []


def test_old_secrets_sign_only_during_the_rotation_window() -> None:
    now = utcnow()
    secrets: list[dict[str, Any]] = [
        {"secret": "whsec_new", "created_at": now.isoformat(), "expires_at": None},
        {
            "secret": "whsec_old",
            "created_at": now.isoformat(),
            "expires_at": (now + timedelta(hours=24)).isoformat(),
        },
    ]
    assert delivery.valid_secrets(secrets, now) == ["whsec_new", "whsec_old"]
    assert delivery.valid_secrets(secrets, now + timedelta(hours=25)) == ["whsec_new"]
