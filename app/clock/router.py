"""The service clock of drills (development and test environments)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.auth.dependencies import PrincipalDep, SessionDep, SettingsDep
from app.clock import service
from app.clock.schemas import ClockRead, ClockUpdate
from app.core.http import IfMatchDep, with_etag
from app.core.problems import problems

router = APIRouter(prefix="/clock", tags=["clock"])


@router.get("", response_model=ClockRead, responses=problems())
async def get_clock(
    response: Response, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> ClockRead:
    """The service's current time and date (China) as every rule sees them, and the drill
    offset from real time (0 unless an administrator moved the clock for a drill)."""
    read = await service.get_clock(session, settings, principal)
    with_etag(response, read.version)
    return read


@router.patch("", response_model=ClockRead, responses=problems(403, 412))
async def move_clock(
    data: ClockUpdate,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> ClockRead:
    """Move the service clock for a drill (演练): every API process and the worker read the
    offset from the database, so deadlines, overdue, reminders, escalation, acceptance reviews
    and look-backs follow it; every periodic job becomes due at once. Administrators only, in
    development and test environments; production answers 403 `clock_fixed_in_production`.
    Audited. `{"offset_seconds": 0}` puts it back to real time."""
    read = await service.move_clock(session, settings, principal, data, if_match)
    with_etag(response, read.version)
    return read
