"""China working-day arithmetic: National Day 2026 and the adjusted working days (调休)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.config import Settings
from app.core.workdays import (
    WorkdayCalendar,
    add_working_days,
    is_workday,
    load_calendar,
    working_days_between,
)
from app.models.webhook import WorkdayOverride
from app.worker.clock import run_job
from tests.events.builders import all_events
from tests.factories import COUNTY, create_enterprise
from tests.worker.builders import add_hazard, travel_to


def test_national_day_2026_and_adjusted_weekend_days() -> None:
    # The package's data: Oct 1-7 off; Sunday Sep 20 and Saturday Oct 10 are working days.
    assert all(not is_workday(date(2026, 10, d)) for d in range(1, 8))
    assert is_workday(date(2026, 9, 20))  # Sunday, worked (调休)
    assert is_workday(date(2026, 10, 10))  # Saturday, worked (调休)
    assert not is_workday(date(2026, 10, 11))  # ordinary Sunday
    # Wednesday Sep 30 + 1 working day jumps the whole holiday to Thursday Oct 8.
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    # Oct 8 (Thu), 9 (Fri), 10 (adjusted Saturday), then Mon Oct 12.
    assert add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert add_working_days(date(2026, 9, 30), 4) == date(2026, 10, 12)
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 12)) == 4
    assert working_days_between(date(2026, 10, 1), date(2026, 10, 7)) == 0
    # Backwards across the holiday.
    assert add_working_days(date(2026, 10, 8), -1) == date(2026, 9, 30)
    assert working_days_between(date(2026, 10, 12), date(2026, 9, 30)) == -4
    # Sat Sep 19 -> +1 is the adjusted Sunday Sep 20.
    assert add_working_days(date(2026, 9, 19), 1) == date(2026, 9, 20)
    assert add_working_days(date(2026, 9, 30), 0) == date(2026, 9, 30)


def test_round_trip_property() -> None:
    start = date(2026, 9, 15)
    for n in range(0, 40):
        end = add_working_days(start, n)
        assert working_days_between(start, end) == n


def test_overrides_win() -> None:
    calendar = WorkdayCalendar({date(2026, 10, 9): False, date(2026, 10, 11): True})
    assert add_working_days(date(2026, 9, 30), 2, calendar) == date(2026, 10, 10)
    assert add_working_days(date(2026, 9, 30), 3, calendar) == date(2026, 10, 11)
    # Outside the package's data: Monday to Friday.
    assert add_working_days(date(2099, 1, 2), 1) == date(2099, 1, 5)


async def test_overrides_from_the_table(connection: AsyncConnection) -> None:
    session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")
    session.add(WorkdayOverride(on=date(2026, 10, 9), is_workday=False, reason="台风停工"))
    await session.flush()
    calendar = await load_calendar(session)
    assert not calendar.is_workday(date(2026, 10, 9))
    assert calendar.add_working_days(date(2026, 9, 30), 2) == date(2026, 10, 10)
    await session.close()


async def test_override_api_and_the_clock_uses_it(
    client: AsyncClient,
    admin: dict[str, str],
    token: Callable[..., dict[str, str]],
    connection: AsyncConnection,
    settings: Settings,
) -> None:
    url = "/api/v1/workday-overrides/2026-10-09"
    body = {"is_workday": False, "reason": "西湖区防台风停工通知"}
    created = await client.put(url, json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["on"] == "2026-10-09"
    replaced = await client.put(url, json={**body, "reason": "更正"}, headers=admin)
    assert replaced.status_code == 200
    listed = await client.get("/api/v1/workday-overrides", params={"year": 2026}, headers=admin)
    assert [(o["on"], o["reason"]) for o in listed.json()["items"]] == [("2026-10-09", "更正")]
    office = token("committee_office", region_code=COUNTY)
    assert (await client.put(url, json=body, headers=office)).status_code == 403
    assert (await client.put(url, json={"is_workday": False}, headers=admin)).status_code == 422
    assert (
        await client.get("/api/v1/workday-overrides", params={"x": 1}, headers=admin)
    ).status_code == 422
    # the reminder (3 working days) now comes a day earlier, on the last holiday day
    ent = await create_enterprise(client, admin)
    session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")
    await add_hazard(session, ent, deadline=date(2026, 10, 12))
    await session.commit()
    travel_to(date(2026, 10, 7))
    assert (await run_job(session, settings, "deadline_reminder"))["fired"] == 1
    await session.commit()
    await session.close()
    assert (await client.delete(url, headers=admin)).status_code == 204
    assert (await client.delete(url, headers=admin)).status_code == 404
    types = [e["type"] for e in await all_events(client, admin, type="workday_override.*")]
    assert types == [
        "gov.anjian.workday_override.set",
        "gov.anjian.workday_override.set",
        "gov.anjian.workday_override.deleted",
    ]
