"""GET /metrics: Prometheus text, only with the metrics token, with the request, pool,
idempotency and backlog figures."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from app.config import Settings
from app.core import metrics
from app.core.clock import utcnow
from app.models.webhook import ClockRun, WebhookDelivery, WebhookSubscription
from tests.factories import COUNTY

TOKEN = "metrics-token-for-tests-0123456789"
SCRAPE = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def enabled(app: Any, settings: Settings) -> None:
    app.state.settings = settings.model_copy(update={"metrics_token": TOKEN})


async def scrape(client: AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await client.get("/metrics", headers=SCRAPE)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_disabled_without_a_token(client: AsyncClient) -> None:
    response = await client.get("/metrics", headers=SCRAPE)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.usefixtures("enabled")
@pytest.mark.parametrize("header", [None, "Bearer wrong-token-0123456789", f"Basic {TOKEN}"])
async def test_token_required(client: AsyncClient, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="metrics"'
    assert response.json()["code"] == "metrics_token_required"


@pytest.mark.usefixtures("enabled")
async def test_requests_by_route_template_and_status(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    route = "/api/v1/enterprises/{enterprise_id}"
    labels = {"method": "GET", "route": route, "status": "404"}
    before = await scrape(client)
    for _ in range(3):
        await client.get(f"/api/v1/enterprises/{uuid.uuid4()}", headers=admin)
    await client.get("/no/such/path/for/metrics")
    after = await scrape(client)

    count = "anjian_http_request_duration_seconds_count"  # the request count
    assert value(after, count, **labels) - value(before, count, **labels) == pytest.approx(3)
    inf = value(after, "anjian_http_request_duration_seconds_bucket", **labels, le="+Inf")
    assert inf == value(after, count, **labels)
    assert value(after, "anjian_http_request_duration_seconds_sum", **labels) > 0
    # a path no route matched is one series, whatever the path (scanners cannot grow them)
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    assert value(after, count, **unmatched) >= 1
    assert not any("/no/such/path" in str(key) for key in after)


@pytest.mark.usefixtures("enabled")
async def test_idempotency_conflicts_are_counted(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    headers = {**admin, "Idempotency-Key": f"metrics-{uuid.uuid4()}"}
    before = await scrape(client)
    body = {"name": "县应急管理局", "kind": "department", "region_code": COUNTY}
    assert (await client.post("/api/v1/departments", json=body, headers=headers)).is_success
    other = {**body, "name": "另一个部门"}
    reused = await client.post("/api/v1/departments", json=other, headers=headers)
    assert reused.status_code == 422
    after = await scrape(client)
    name, code = "anjian_idempotency_conflicts_total", "idempotency_key_reused"
    assert value(after, name, code=code) - value(before, name, code=code) == pytest.approx(1)


@pytest.mark.usefixtures("enabled")
async def test_database_pool_use(client: AsyncClient, settings: Settings) -> None:
    engine = create_async_engine(settings.database_url, pool_size=3, max_overflow=2)
    metrics.instrument_pool(engine, 3, 2)
    try:
        before = await scrape(client)
        async with engine.connect() as first, engine.connect() as second:
            await first.exec_driver_sql("SELECT 1")
            await second.exec_driver_sql("SELECT 1")
            during = await scrape(client)
        after = await scrape(client)
    finally:
        await engine.dispose()
        metrics.release_pool(3, 2)
    in_use, opened = "anjian_db_pool_connections_in_use", "anjian_db_pool_connections_open"
    assert value(during, in_use) - value(before, in_use) == 2
    assert value(after, in_use) == value(before, in_use)
    assert value(during, opened) - value(before, opened) == 2
    assert value(during, "anjian_db_pool_connections_max") >= 5
    gone = await scrape(client)
    assert value(gone, opened) == value(before, opened)  # disposed: closed


@pytest.mark.usefixtures("enabled")
async def test_worker_backlog_and_job_lag(
    client: AsyncClient, admin: dict[str, str], connection: AsyncConnection
) -> None:
    now = utcnow()
    job = f"metrics_test_{uuid.uuid4().hex[:8]}"
    sub_id = uuid.uuid4()
    await connection.execute(
        ClockRun.__table__.insert().values(job=job, next_run_at=now - timedelta(seconds=600))
    )
    await connection.execute(
        WebhookSubscription.__table__.insert().values(
            id=sub_id,
            url="https://receiver.example/hook",
            event_types=[],
            secrets=[],
            created_by="test",
            active=True,
            version=1,
        )
    )
    for minutes in (5, 1):
        await connection.execute(
            WebhookDelivery.__table__.insert().values(
                id=uuid.uuid4(),
                subscription_id=sub_id,
                event_seq=1,
                event_id=uuid.uuid4(),
                event_type="gov.anjian.test",
                status="pending",
                attempts=0,
                next_attempt_at=now - timedelta(minutes=minutes),
            )
        )
    body = {"name": "县安委办", "kind": "department", "region_code": COUNTY}
    assert (await client.post("/api/v1/departments", json=body, headers=admin)).is_success

    samples = await scrape(client)
    assert value(samples, "anjian_backlog_up") == 1
    assert value(samples, "anjian_worker_job_lag_seconds", job=job) >= 600
    assert value(samples, "anjian_webhook_backlog") >= 2
    assert value(samples, "anjian_webhook_backlog_oldest_seconds") >= 300
    assert value(samples, "anjian_outbox_undispatched_events") >= 1
