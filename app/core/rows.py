"""Column reads without the ORM's object machinery.

A ``select()`` of columns executed through the session still goes through the ORM's execution
and row-loading layers, which cost more than the query for a page of wide rows. Lists and reads
that want plain mappings run the same statement on the session's connection instead (same
transaction, same compiled-statement cache). A hot statement is best built once, with
``bindparam()`` for what varies: SQLAlchemy memoizes a statement object's cache key, which for a
select of many columns costs more to compute than the query takes to run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, insert
from sqlalchemy.ext.asyncio import AsyncSession


async def fetch_mappings(
    session: AsyncSession, stmt: Select[Any], params: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    connection = await session.connection()
    return [dict(row) for row in (await connection.execute(stmt, params)).mappings()]


async def fetch_mapping(
    session: AsyncSession, stmt: Select[Any], params: Mapping[str, Any] | None = None
) -> dict[str, Any] | None:
    """The first row of a statement that selects at most one (by key)."""
    rows = await fetch_mappings(session, stmt, params)
    return rows[0] if rows else None


async def insert_together(session: AsyncSession, *rows: tuple[Any, Mapping[str, Any]]) -> None:
    """One row into each of several tables (``(model, values)``) in one statement, the first ones
    as data-modifying CTEs: the side effects of a write (timeline row, audit row, outbox event)
    cost one round trip instead of one each. ``values`` must hold every column without a
    server-side default."""
    *firsts, (model, values) = rows
    stmt = insert(model).values(**values)
    for n, (first_model, first_values) in enumerate(firsts):
        stmt = stmt.add_cte(insert(first_model).values(**first_values).cte(f"row_{n}"))
    connection = await session.connection()
    await connection.execute(stmt)
