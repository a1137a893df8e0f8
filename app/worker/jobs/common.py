"""Shared helpers of the deadline clock jobs: firings, scope, recipients, hooks."""

from __future__ import annotations

import importlib
import logging
import uuid
from datetime import datetime, time
from typing import Any

from sqlalchemy import exists, func, literal, not_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import CHINA_TZ
from app.models.hazard import TERMINAL_STATUSES, Hazard
from app.models.webhook import ClockFiring

log = logging.getLogger("anjian.worker.jobs")
H = Hazard
BATCH = 2000
# Statuses whose deadline is running (a declared completion waits for acceptance instead).
NO_REMINDER = (*TERMINAL_STATUSES, "pending_verification")
HAZARD_COLUMNS = (
    H.id,
    H.code,
    H.title,
    H.status,
    H.version,
    H.deadline,
    H.level,
    H.sector,
    H.region_code,
    H.county_code,
    H.sectors,
    H.enterprise_id,
    H.order_department_id,
    H.responsible_person,
    H.responsible_unit,
    H.extension_requested_deadline,
    H.completed_at,
    H.closed_at,
)


async def table_exists(session: AsyncSession, name: str) -> bool:
    found = (await session.execute(select(func.to_regclass(literal(name))))).scalar()
    return found is not None


async def fire(
    session: AsyncSession, rule: str, subject_id: uuid.UUID, key: str, now: datetime
) -> bool:
    """Record a firing; True only the first time (rule, subject, key) is seen."""
    stmt = (
        insert(ClockFiring)
        .values(rule=rule, subject_id=subject_id, key=key, fired_at=now)
        .on_conflict_do_nothing(constraint="uq_clock_firing_rule_subject_id_key")
        .returning(ClockFiring.seq)
    )
    return (await session.execute(stmt)).first() is not None


def not_fired(rule: str, subject: Any, key: Any) -> Any:
    F = ClockFiring  # noqa: N806
    return not_(exists().where(F.rule == rule, F.subject_id == subject, F.key == key))


def iso_date(column: Any) -> Any:
    return func.to_char(column, "YYYY-MM-DD")


def china_midnight(day: Any) -> datetime:
    return datetime.combine(day, time(0), tzinfo=CHINA_TZ)


def hazard_scope(row: Any) -> dict[str, Any]:
    return {
        "region_code": row.region_code,
        "sectors": list(row.sectors),
        "enterprise_id": row.enterprise_id,
    }


def hazard_ref(row: Any) -> dict[str, Any]:
    return {"resource_type": "hazard", "resource_id": row.id}


def deciding_unit(row: Any) -> dict[str, Any]:
    """The unit that ordered the rectification, else the county's safety committee office."""
    if row.order_department_id is not None:
        return {"recipient_department_id": row.order_department_id}
    return {"recipient_region_code": row.county_code, "recipient_role": "committee_office"}


async def store_responsibility_snapshot(
    session: AsyncSession, hazard_id: uuid.UUID, reason: str
) -> bool:
    """Hook into the responsibility domain: ``store_snapshot(session, hazard_id, reason)``.

    Imported lazily; when the responsibility domain does not provide it the overdue event is
    still written and this returns False (logged)."""
    for module_name in (
        "app.responsibility.chain",
        "app.responsibility.service",
        "app.responsibility.snapshots",
        "app.responsibility.snapshot",
        "app.responsibility",
    ):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue
            raise
        store = getattr(module, "store_snapshot", None)
        if store is not None:
            await store(session, hazard_id, reason)
            return True
    log.warning("responsibility store_snapshot not available: no snapshot for hazard %s", hazard_id)
    return False
