"""Prometheus metrics of the process (``prometheus-client``).

The API serves them at ``GET /metrics`` (only when ``ANJIAN_METRICS_TOKEN`` is set, and only
to a caller presenting it as a bearer token); the worker on its own port
(``ANJIAN_WORKER_METRICS_PORT``). With several uvicorn worker processes the launcher
(``python -m app.serve``) sets ``PROMETHEUS_MULTIPROC_DIR`` before any of them starts, so every
process writes its values to a shared directory and any one of them answers a scrape with the
sum over all (prometheus-client's multiprocess mode).

The request hook is on the hot path: the label children are looked up once per
(method, route, status) and kept, so a request costs one histogram observation (its sum and
one bucket).
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncEngine

CONTENT_TYPE = CONTENT_TYPE_LATEST
MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

# Its ``_count`` series is the number of requests (by method, route template and status): no
# separate counter, one memory-mapped write less per request in multiprocess mode.
REQUEST_SECONDS = Histogram(
    "anjian_http_request_duration_seconds",
    "Time from the request's arrival to the end of its response, by method, route template "
    "and status (its _count: the requests answered)",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
DB_POOL_IN_USE = Gauge(
    "anjian_db_pool_connections_in_use",
    "Database connections checked out of the pool (summed over the live processes)",
    multiprocess_mode="livesum",
)
DB_POOL_OPEN = Gauge(
    "anjian_db_pool_connections_open",
    "Database connections open, idle or in use (summed over the live processes)",
    multiprocess_mode="livesum",
)
DB_POOL_MAX = Gauge(
    "anjian_db_pool_connections_max",
    "Most connections the pools may open: pool size + overflow, summed over the live processes",
    multiprocess_mode="livesum",
)
IDEMPOTENCY_CONFLICTS = Counter(
    "anjian_idempotency_conflicts",
    "POSTs refused because of their Idempotency-Key, by problem code "
    "(idempotency_key_reused, idempotency_in_flight, idempotency_not_replayable)",
    ["code"],
)
# Written by the worker (python -m app.worker), served on its own metrics port.
WEBHOOK_DELIVERIES = Counter(
    "anjian_webhook_deliveries",
    "Webhook delivery attempts by outcome: succeeded, retry (failed, will be retried), "
    "failed (given up: permanent error, 410 or attempts exhausted), lost (claim expired)",
    ["outcome"],
)
WORKER_JOBS = Counter(
    "anjian_worker_jobs",
    "Clock job runs by job and outcome (ok, error)",
    ["job", "outcome"],
)
WORKER_JOB_LAG = Gauge(
    "anjian_worker_job_start_lag_seconds",
    "How late the last run of each clock job started after it was due",
    ["job"],
    multiprocess_mode="max",
)

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_children: dict[tuple[str, str, int], Any] = {}


def observe_request(method: str, route: str | None, status: int, seconds: float) -> None:
    """Count one answered request (``route`` None: no route matched, e.g. a 404 probe; its
    path is not a label, so scanners cannot grow the series without bound)."""
    key = (method if method in _METHODS else "other", route or "unmatched", status)
    child = _children.get(key)
    if child is None:
        child = REQUEST_SECONDS.labels(key[0], key[1], str(status))
        _children[key] = child
    child.observe(seconds)


def instrument_pool(engine: AsyncEngine, pool_size: int, max_overflow: int) -> None:
    """Follow the engine's pool: connections opened, closed, checked out and in."""
    pool = engine.sync_engine.pool
    DB_POOL_MAX.inc(pool_size + max_overflow)
    sa_event.listen(pool, "connect", lambda *_: DB_POOL_OPEN.inc())
    sa_event.listen(pool, "close", lambda *_: DB_POOL_OPEN.dec())
    sa_event.listen(pool, "close_detached", lambda *_: DB_POOL_OPEN.dec())
    sa_event.listen(pool, "checkout", lambda *_: DB_POOL_IN_USE.inc())
    sa_event.listen(pool, "checkin", lambda *_: DB_POOL_IN_USE.dec())


def release_pool(pool_size: int, max_overflow: int) -> None:
    """The process stops: its pool no longer counts."""
    DB_POOL_MAX.dec(pool_size + max_overflow)
    if MULTIPROCESS:
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


def render(*extra: CollectorRegistry) -> bytes:
    """The exposition text: this process's metrics (or, in multiprocess mode, every
    process's), then ``extra`` registries (values read at scrape time)."""
    if MULTIPROCESS:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    return b"".join(generate_latest(r) for r in (registry, *extra))
