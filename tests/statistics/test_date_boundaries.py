"""Boundary data for the date rules, at the edges where an off-by-one hides.

* A hazard closed on its deadline day is on time, in the statistics rollup (the triggers) and
  in the campaign figures (counted straight from the hazards); closed the day after, it is late.
  "Day" is the county's day: China Standard Time, so 23:59 on the deadline day (15:59 UTC) is on
  time and 00:00:30 the next day (16:00:30 UTC, still the deadline's date in UTC) is late.
* An open hazard becomes overdue at midnight China time after its deadline day, not before and
  not at midnight UTC: on the hazard read, the ``overdue`` filter and the statistics.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core import clock
from app.core.clock import CHINA_TZ
from tests.factories import COUNTY
from tests.hazards.builders import World, order_body
from tests.statistics.builders import campaign_with_hazards

URL = "/api/v1/statistics/hazards"


def _at_china(day: date, hour: int, minute: int, second: int = 0) -> None:
    """Move the service's clock to that wall-clock time in China."""
    target = datetime.combine(day, time(hour, minute, second), tzinfo=CHINA_TZ)
    clock.set_offset(target.astimezone(UTC) - datetime.now(UTC))


async def _rectifying(world: World, deadline: date) -> dict[str, Any]:
    hz = await world.registered()
    return await world.ok(
        hz, "order-rectification", order_body(deadline=deadline.isoformat()), world.dept
    )


async def _close(world: World, hz: dict[str, Any]) -> None:
    photo = await world.photo(hz["id"])
    await world.ok(
        hz,
        "declare-completion",
        {"note": "已整改", "attachment_ids": [photo]},
        world.enterprise_user,
    )
    await world.ok(hz, "accept", {"opinion": "验收合格"})


async def test_closed_on_the_deadline_day_is_on_time(
    world: World, client: AsyncClient, admin: dict[str, str], connection: AsyncConnection
) -> None:
    deadline = clock.today_china() + timedelta(days=5)
    on_day_early = await _rectifying(world, deadline)
    on_day_late = await _rectifying(world, deadline)
    next_day = await _rectifying(world, deadline)
    day_before = await _rectifying(world, deadline)
    _at_china(deadline - timedelta(days=1), 12, 0)
    await _close(world, day_before)
    _at_china(deadline, 0, 0, 30)
    await _close(world, on_day_early)
    _at_china(deadline, 23, 58, 30)  # 15:58:30 UTC
    await _close(world, on_day_late)
    _at_china(deadline + timedelta(days=1), 0, 0, 30)  # 16:00:30 UTC, the deadline's UTC date
    await _close(world, next_day)
    totals = (await client.get(URL, params={"region": COUNTY}, headers=admin)).json()["totals"]
    assert (totals["closed"], totals["on_time_rate"]) == (4, 0.75), totals
    by_level = (
        await client.get(URL, params={"region": COUNTY, "group_by": "level"}, headers=admin)
    ).json()["groups"]
    assert [(g["key"]["level"], g["on_time_rate"]) for g in by_level] == [("general", 0.75)]
    # the campaign figures are counted from the hazard rows, by another statement: same answer
    ids = [hz["id"] for hz in (on_day_early, on_day_late, next_day, day_before)]
    campaign_id, _ = await campaign_with_hazards(
        connection, world.ent_id, ids, name="按期整改专项", ends_on=date(2027, 12, 31)
    )
    campaign = (
        await client.get(URL, params={"campaign_id": str(campaign_id)}, headers=admin)
    ).json()["totals"]
    assert (campaign["closed"], campaign["on_time_rate"]) == (4, 0.75), campaign


async def test_overdue_starts_at_midnight_china_time(
    world: World, client: AsyncClient, admin: dict[str, str]
) -> None:
    deadline = clock.today_china() + timedelta(days=3)
    hz = await _rectifying(world, deadline)
    url = f"/api/v1/hazards/{hz['id']}"

    async def seen() -> tuple[bool, bool, int]:
        read = (await client.get(url, headers=admin)).json()["overdue"]
        listed = await client.get(
            "/api/v1/hazards", params={"overdue": "true", "limit": 200}, headers=admin
        )
        in_list = hz["id"] in {h["id"] for h in listed.json()["items"]}
        totals = (await client.get(URL, params={"region": COUNTY}, headers=admin)).json()
        return read, in_list, totals["totals"]["overdue"]

    _at_china(deadline, 0, 0, 30)
    assert await seen() == (False, False, 0)
    _at_china(deadline, 23, 58, 30)  # the next day in UTC is still hours away; not yet
    assert await seen() == (False, False, 0)
    _at_china(deadline + timedelta(days=1), 0, 0, 30)  # 16:00:30 UTC on the deadline's date
    assert await seen() == (True, True, 1)
    # and the hazards not yet due are not counted
    assert (
        await client.get(
            "/api/v1/hazards", params={"overdue": "false", "limit": 200}, headers=admin
        )
    ).json()["items"] == []
