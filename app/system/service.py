"""Readiness (the database answers and is migrated to the head revision), and the worker's
backlog as Prometheus gauges."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.system import repository
from app.worker import dispatch

_ROOT = Path(__file__).resolve().parents[2]


def head_revisions() -> set[str]:
    config = Config(str(_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(_ROOT / "migrations"))
    return set(ScriptDirectory.from_config(config).get_heads())


async def readiness(sessionmaker: async_sessionmaker[AsyncSession]) -> tuple[bool, str | None]:
    try:
        async with sessionmaker() as session:
            rows = (await session.execute(text("SELECT version_num FROM alembic_version"))).all()
    except (SQLAlchemyError, OSError) as exc:
        return False, f"database unavailable: {type(exc).__name__}"
    current = {r[0] for r in rows}
    if current != head_revisions():
        return False, f"schema at {sorted(current)}, expected {sorted(head_revisions())}"
    return True, None


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


class _Snapshot(Collector):
    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> list[Metric]:
        return self.families


async def backlog_metrics(sessionmaker: async_sessionmaker[AsyncSession]) -> CollectorRegistry:
    """The worker's backlog and lag as gauges, read now from the database (``anjian_backlog_up``
    is 0 when it cannot be read)."""
    try:
        async with sessionmaker() as session:
            found = await repository.backlog(session, dispatch.CURSOR_NAME)
    except (SQLAlchemyError, OSError):
        families: list[Metric] = [
            _gauge("anjian_backlog_up", "1 if the backlog could be read from the database", 0)
        ]
    else:
        lag = GaugeMetricFamily(
            "anjian_worker_job_lag_seconds",
            "How far each clock job is past its due time (0: not due); grows while no worker "
            "runs it",
            labels=["job"],
        )
        for job, seconds in found.job_lag_seconds.items():
            lag.add_metric([job], seconds)
        families = [
            _gauge("anjian_backlog_up", "1 if the backlog could be read from the database", 1),
            lag,
            _gauge(
                "anjian_webhook_backlog",
                f"Webhook deliveries due and not yet attempted (counted up to {repository.CAP})",
                found.webhook_due,
            ),
            _gauge(
                "anjian_webhook_backlog_oldest_seconds",
                "How long the oldest due webhook delivery has waited (0: none due)",
                found.webhook_oldest_seconds,
            ),
            _gauge(
                "anjian_outbox_undispatched_events",
                f"Events not yet fanned out to webhook deliveries (counted up to {repository.CAP})",
                found.events_pending,
            ),
            _gauge(
                "anjian_outbox_undispatched_oldest_seconds",
                "Age of the oldest event not yet fanned out (0: none)",
                found.events_oldest_seconds,
            ),
        ]
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot(families))
    return registry
