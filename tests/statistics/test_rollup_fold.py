"""Folding the rollup deltas (the worker's job) never changes a figure, and empties the deltas."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.hazards.builders import World
from tests.statistics.test_rollup_triggers import (
    MEASURES,
    ROLLUP_TABLES,
    _nonzero_rollups,
    _random_change,
    _roll_clock,
    _rows,
    assert_rollups_exact,
)


async def _fold(connection: AsyncConnection) -> int:
    return int((await connection.execute(text("SELECT anjian_hazard_rollup_fold()"))).scalar_one())


async def _folded_equal_views(connection: AsyncConnection) -> None:
    """With nothing pending, the folded tables hold exactly what the views show."""
    views = await _nonzero_rollups(connection)
    for table in ROLLUP_TABLES:
        counts = " OR ".join(f"{m} <> 0" for m in MEASURES) if "rollup" in table else "n <> 0"
        folded = await _rows(connection, f"SELECT * FROM {table}_folded WHERE {counts}")  # noqa: S608
        assert folded == views[table], table


async def test_folding_keeps_every_figure(world: World, connection: AsyncConnection) -> None:
    rng = random.Random(23)
    ids = [(await world.hazard())["id"] for _ in range(10)]
    assert await _fold(connection) > 0  # the creates' deltas
    await _folded_equal_views(connection)
    for step in range(120):
        await _random_change(connection, rng, ids, world.department["id"], step)
        if step % 30 == 0:
            await _roll_clock(connection, rng)
        if step % 20 == 0:
            before: dict[str, Any] = await _nonzero_rollups(connection)
            await _fold(connection)
            assert await _nonzero_rollups(connection) == before
            pending = await connection.execute(text("SELECT count(*) FROM hazard_rollup_delta"))
            assert pending.scalar_one() == 0
            await _folded_equal_views(connection)
            await assert_rollups_exact(connection)
    await _fold(connection)
    await assert_rollups_exact(connection)
    await _folded_equal_views(connection)
    assert await _fold(connection) == 0  # nothing left: a fold of nothing is a no-op
