"""The drill clock's rules: anyone signed in reads it; an administrator moves it, audited, and
never in production (the service's clock there is the machine's)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import diff, record_audit
from app.auth.principal import Principal
from app.auth.scope import require
from app.clock import repository
from app.clock.schemas import MAX_OFFSET_SECONDS, ClockRead, ClockUpdate
from app.config import Settings
from app.core import clock
from app.core.concurrency import check_version
from app.core.errors import Forbidden, Unprocessable
from app.models.core import ServiceClock

RESOURCE = "service_clock"


def _read(settings: Settings, row: ServiceClock) -> ClockRead:
    return ClockRead(
        now=clock.utcnow(),
        today=clock.today_china(),
        real_now=datetime.now(UTC),
        offset_seconds=int(clock.drill_offset().total_seconds()),
        environment=settings.environment,
        adjustable=settings.environment != clock.PRODUCTION,
        version=row.version,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        reason=row.reason,
    )


async def _row(session: AsyncSession, *, for_update: bool = False) -> ServiceClock:
    row = await repository.get(session, for_update=for_update)
    if row is None:  # the migration inserts it; a missing row is a broken database
        raise RuntimeError("service_clock has no row: run the migrations")
    return row


async def get_clock(session: AsyncSession, settings: Settings, principal: Principal) -> ClockRead:
    return _read(settings, await _row(session))


async def move_clock(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    data: ClockUpdate,
    expected_version: int | None,
) -> ClockRead:
    require(principal, "clock:write")
    if settings.environment == clock.PRODUCTION:
        raise Forbidden(
            "The service clock cannot be moved in production",
            "生产环境不允许调整服务时钟",
            code="clock_fixed_in_production",
        )
    row = await _row(session, for_update=True)
    check_version(expected_version, row.version)
    if data.now is not None:
        offset = round((data.now - datetime.now(UTC)).total_seconds())
        if abs(offset) > MAX_OFFSET_SECONDS:
            raise Unprocessable.field(
                ["body", "now"],
                "The clock may move at most ten years from real time",
                "clock_offset_too_large",
                "服务时钟与真实时间相差不得超过十年",
                code="clock_offset_too_large",
            )
    else:
        offset = data.offset_seconds or 0
    before = {"offset_seconds": row.offset_seconds, "reason": row.reason}
    row.offset_seconds, row.updated_by, row.reason = offset, principal.subject, data.reason
    row.updated_at = datetime.now(UTC)
    await session.flush()
    clock.set_drill_offset(timedelta(seconds=offset))
    await repository.jobs_due_at(session, clock.utcnow())
    record_audit(
        session,
        principal,
        action="update",
        resource_type=RESOURCE,
        resource_id="service",
        changes=diff(before, {"offset_seconds": offset, "reason": data.reason}),
    )
    return _read(settings, row)
