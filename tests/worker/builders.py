"""Hazards and assignments written straight into the tables, and a controllable China date."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.clock import CHINA_TZ
from app.models.hazard import Hazard

_serial = itertools.count(1)


def travel_to(day: date, hour: int = 10) -> None:
    """Make ``today_china()`` return ``day`` (at ``hour`` China time)."""
    target = datetime.combine(day, time(hour), tzinfo=CHINA_TZ)
    clock.set_offset(target - datetime.now(UTC))


def at_china(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=CHINA_TZ)


async def add_hazard(
    session: AsyncSession,
    enterprise: dict[str, Any],
    *,
    deadline: date | None,
    status: str = "rectifying",
    level: str = "general",
    **fields: Any,
) -> Hazard:
    hazard = Hazard(
        id=uuid.uuid4(),
        code=f"330106-2026-{900000 + next(_serial):06d}",
        title="储罐区防火堤破损",
        enterprise_id=uuid.UUID(enterprise["id"]),
        region_code=enterprise["region_code"],
        sectors=list(enterprise["sectors"]),
        sector=fields.pop("sector", enterprise["sectors"][0]),
        category="unsafe_condition",
        level=level,
        treatment_type="by_deadline",
        source="departmental",
        found_at=at_china(date(2026, 9, 1)),
        reported_by="test-inspector",
        reported_by_role="inspector",
        status=status,
        deadline=deadline,
        responsible_person={"name": "王五", "phone": "13700000000"},
        **fields,
    )
    session.add(hazard)
    await session.flush()
    return hazard
