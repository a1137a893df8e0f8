"""The rollup triggers stay exact under any change of a hazard row (even ones no API makes)."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.models.enterprise import Enterprise
from app.models.hazard import Hazard
from tests.factories import TOWN, TOWN_2, enterprise_row
from tests.hazards.builders import World

STATUSES = (
    "reported",
    "registered",
    "planning",
    "rectifying",
    "extension_requested",
    "pending_verification",
    "escalated",
    "closed",
    "cancelled",
)
NIL = "00000000-0000-0000-0000-000000000000"
KEY = {
    "region_code": "region_code",
    "sector": "sector",
    "level": "coalesce(level, '')",
    "source": "source",
    "department_id": f"coalesce(order_department_id, '{NIL}'::uuid)",
    "found_month": "date_trunc('month', found_at AT TIME ZONE 'Asia/Shanghai')::date",
}
MEASURES = {
    **{f"n_{s}": f"status = '{s}'" for s in STATUSES},
    "closed_with_deadline": "status = 'closed' AND deadline IS NOT NULL",
    "closed_on_time": "status = 'closed' AND deadline IS NOT NULL AND "
    "(closed_at AT TIME ZONE 'Asia/Shanghai')::date <= deadline",
    "major_open": "level = 'major' AND status NOT IN ('closed', 'cancelled')",
    "major_closed": "level = 'major' AND status = 'closed'",
    "overdue": "status NOT IN ('closed', 'cancelled') AND deadline IS NOT NULL AND deadline < "
    "(SELECT as_of FROM hazard_overdue_clock)",
}
CUBOIDS = {
    "region": ("region_code", "sector", "level", "found_month"),
    "source": ("region_code", "sector", "source", "found_month"),
    "department": ("region_code", "department_id", "sector", "found_month"),
}
DAYS = (
    "(closed_at AT TIME ZONE 'Asia/Shanghai')::date - (found_at AT TIME ZONE 'Asia/Shanghai')::date"
)


async def _rows(connection: AsyncConnection, sql: str) -> set[tuple[Any, ...]]:
    return {tuple(r) for r in (await connection.execute(text(sql))).all()}


async def assert_rollups_exact(connection: AsyncConnection) -> None:
    live = "FROM hazard WHERE deleted_at IS NULL"
    for cuboid, key in CUBOIDS.items():
        cols = ", ".join(key)
        group = ", ".join(KEY[k] for k in key)
        sums = ", ".join(f"count(*) FILTER (WHERE {cond})::int" for cond in MEASURES.values())
        expected = await _rows(connection, f"SELECT {group}, {sums} {live} GROUP BY {group}")
        nonzero = " OR ".join(f"{m} <> 0" for m in MEASURES)
        actual = await _rows(
            connection,
            f"SELECT {cols}, {', '.join(MEASURES)} FROM "  # noqa: S608
            f"hazard_rollup_{cuboid} WHERE {nonzero}",
        )
        assert actual == {e for e in expected if any(e[len(key) :])}, cuboid
        expected = await _rows(
            connection,
            f"SELECT {group}, {DAYS}, count(*)::int {live} AND "
            f"status = 'closed' AND closed_at IS NOT NULL "
            f"GROUP BY {group}, {DAYS}",
        )
        actual = await _rows(
            connection,
            f"SELECT {cols}, days, n FROM "  # noqa: S608
            f"hazard_close_days_{cuboid} WHERE n <> 0",
        )
        assert actual == expected, f"hazard_close_days_{cuboid}"
        negative = await _rows(
            connection,
            f"SELECT n FROM hazard_close_days_{cuboid} "  # noqa: S608
            "WHERE n < 0",
        )
        assert not negative
    year = "extract(year FROM found_at AT TIME ZONE 'Asia/Shanghai')::smallint"
    group = f"region_code, sector, coalesce(level, ''), {year}"
    expected = await _rows(
        connection,
        f"SELECT {group}, {DAYS}, count(*)::int {live} AND status = 'closed' "
        f"AND closed_at IS NOT NULL GROUP BY {group}, {DAYS}",
    )
    actual = await _rows(
        connection,
        "SELECT region_code, sector, level, found_year, days, n "
        "FROM hazard_close_days_region_year WHERE n <> 0",
    )
    assert actual == expected, "hazard_close_days_region_year"


async def _random_change(
    connection: AsyncConnection, rng: random.Random, ids: list[Any], department: Any, step: int
) -> None:
    base = datetime(2026, 6, 30, 16, 30, tzinfo=UTC)  # 00:30 on 1 July in China
    column, value = rng.choice(
        [
            ("status", rng.choice(STATUSES)),
            ("level", rng.choice([None, "general", "major"])),
            (
                "deadline",
                rng.choice([None, date(2026, 7, 1) + timedelta(days=rng.randint(-9, 9))]),
            ),
            ("closed_at", rng.choice([None, base + timedelta(days=rng.randint(0, 20))])),
            ("found_at", base - timedelta(hours=rng.choice([0, 1, 24 * 40]))),
            ("region_code", rng.choice([TOWN, TOWN_2])),
            ("sector", rng.choice(["hazchem", "gas"])),
            ("source", rng.choice(["departmental", "public_report"])),
            ("order_department_id", rng.choice([None, department])),
            ("deleted_at", rng.choice([None, None, base])),
            ("title", f"仅标题变化{step}"),
        ]
    )
    await connection.execute(
        text(f"UPDATE hazard SET {column} = :v WHERE id = :id"),  # noqa: S608
        {"v": value, "id": rng.choice(ids)},
    )


async def _roll_clock(connection: AsyncConnection, rng: random.Random) -> None:
    """The daily roll of the overdue clock, forwards or back."""
    await connection.execute(
        text("SELECT anjian_hazard_roll_overdue(:d)"),
        {"d": date(2026, 7, 1) + timedelta(days=rng.randint(-8, 8))},
    )


async def test_random_row_changes_keep_rollups_exact(
    world: World, connection: AsyncConnection
) -> None:
    rng = random.Random(7)
    ids = [(await world.hazard())["id"] for _ in range(12)]
    await assert_rollups_exact(connection)
    for step in range(150):
        await _random_change(connection, rng, ids, world.department["id"], step)
        if step % 25 == 0:
            await assert_rollups_exact(connection)
        if step % 40 == 0:
            await _roll_clock(connection, rng)
            await assert_rollups_exact(connection)
    await assert_rollups_exact(connection)


ROLLUP_TABLES = (
    *(f"hazard_{kind}_{cuboid}" for cuboid in CUBOIDS for kind in ("rollup", "close_days")),
    "hazard_close_days_region_year",
)


async def _nonzero_rollups(connection: AsyncConnection) -> dict[str, set[tuple[Any, ...]]]:
    """Every rollup row that counts something (changes leave emptied rows behind)."""
    found: dict[str, set[tuple[Any, ...]]] = {}
    for table in ROLLUP_TABLES:
        counts = " OR ".join(f"{m} <> 0" for m in MEASURES) if "rollup" in table else "n <> 0"
        found[table] = await _rows(
            connection,
            f"SELECT * FROM {table} WHERE {counts}",  # noqa: S608
        )
    return found


async def test_rebuild_equals_the_trigger_built_rollups(
    world: World, connection: AsyncConnection
) -> None:
    """anjian_hazard_rollup_rebuild() (bulk loads: trigger off, load, rebuild) recounts exactly
    what the trigger keeps, whatever the history of the rows and the overdue clock."""
    rng = random.Random(11)
    ids = [(await world.hazard())["id"] for _ in range(12)]
    for step in range(80):
        await _random_change(connection, rng, ids, world.department["id"], step)
        if step % 30 == 0:
            await _roll_clock(connection, rng)
    by_trigger = await _nonzero_rollups(connection)
    assert by_trigger["hazard_rollup_region"]
    live = (
        await connection.execute(text("SELECT count(*) FROM hazard WHERE deleted_at IS NULL"))
    ).scalar_one()
    rebuilt = await connection.execute(text("SELECT anjian_hazard_rollup_rebuild()"))
    assert rebuilt.scalar_one() == live
    assert await _nonzero_rollups(connection) == by_trigger
    await assert_rollups_exact(connection)


async def test_worker_clock_job_rolls_the_overdue_clock(app: Any) -> None:
    from app.core import clock
    from app.worker.clock import run_job

    async with app.state.sessionmaker() as session:
        clock.set_offset(timedelta(days=3))
        first = await run_job(session, app.state.settings, "roll_hazard_overdue_clock")
        again = await run_job(session, app.state.settings, "roll_hazard_overdue_clock")
    assert (first, again) == ({"days_moved": 3}, {"days_moved": 0})


async def test_concurrent_transactions_keep_rollups_exact(engine: AsyncEngine) -> None:
    """Real commits: 16 transactions at once change hazards of one rollup key (they queue on
    its row lock), then the rollups still equal a recount; everything is removed afterwards."""
    ent_id, ids = uuid.uuid4(), [uuid.uuid4() for _ in range(16)]
    async with engine.begin() as conn:
        await conn.execute(insert(Enterprise).values(**enterprise_row(id=ent_id)))
        for number, hazard_id in enumerate(ids):
            await conn.execute(
                insert(Hazard).values(
                    id=hazard_id,
                    code=f"330106-2026-C{number:05d}",
                    title="并发",
                    sector="hazchem",
                    enterprise_id=ent_id,
                    region_code=TOWN,
                    sectors=["hazchem"],
                    category="unsafe_condition",
                    level="general",
                    source="departmental",
                    found_at=datetime(2026, 5, 5, tzinfo=UTC),
                    reported_by="test",
                    reported_by_role="admin",
                    status="rectifying",
                    deadline=date(2026, 5, 20),
                )
            )

    async def change(hazard_id: uuid.UUID, closing: bool) -> None:
        async with engine.begin() as conn:
            values: dict[str, Any] = (
                {"status": "closed", "closed_at": datetime(2026, 5, 9, tzinfo=UTC)}
                if closing
                else {"level": "major"}
            )
            await conn.execute(update(Hazard).where(Hazard.id == hazard_id).values(**values))
            await asyncio.sleep(0.01)  # hold the rollup row lock a little

    try:
        await asyncio.gather(*(change(h, i % 2 == 0) for i, h in enumerate(ids)))
        async with engine.connect() as conn:
            await assert_rollups_exact(conn)
            row = (
                await conn.execute(
                    text(
                        "SELECT sum(n_closed), sum(n_rectifying) FROM hazard_rollup_region "
                        "WHERE region_code = :town AND found_month = '2026-05-01'"
                    ),
                    {"town": TOWN},
                )
            ).one()
            assert tuple(row) == (8, 8)
    finally:
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM hazard WHERE enterprise_id = :e"), {"e": ent_id})
            await conn.execute(text("DELETE FROM enterprise WHERE id = :e"), {"e": ent_id})
            await assert_rollups_exact(conn)
