"""Column reads without the ORM's object machinery.

A ``select()`` of columns executed through the session still goes through the ORM's execution
and row-loading layers, which cost more than the query for a page of wide rows. Lists and reads
that want plain mappings run the same statement on the session's connection instead (same
transaction, same compiled-statement cache). A hot statement is best built once, with
``bindparam()`` for what varies: SQLAlchemy memoizes a statement object's cache key, which for a
select of many columns costs more to compute than the query takes to run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from sqlalchemy import Insert, Select, Table, bindparam, insert
from sqlalchemy.ext.asyncio import AsyncSession


async def fetch_mappings(
    session: AsyncSession, stmt: Select[Any], params: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    connection = await session.connection()
    result = await connection.execute(stmt, params)
    keys = tuple(result.keys())
    # zip over plain rows: a third of the cost of building dicts through RowMapping
    return [dict(zip(keys, row, strict=True)) for row in result]


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
    shape = tuple((model, tuple(values)) for model, values in rows)
    connection = await session.connection()
    await connection.execute(
        _insert_together_statement(shape), row_params(*(values for _, values in rows))
    )


@lru_cache(maxsize=64)
def _insert_together_statement(shape: tuple[tuple[Any, tuple[str, ...]], ...]) -> Insert:
    """Built once per shape with bound parameters: building it with the values inline costs a
    write more CPU (value coercion, cache key of every value) than its three inserts take."""

    *firsts, (model, keys) = shape
    stmt = insert(model.__table__).values(bound_values(len(firsts), model, keys))
    for n, (first_model, first_keys) in enumerate(firsts):
        first = insert(first_model.__table__).values(bound_values(n, first_model, first_keys))
        stmt = stmt.add_cte(first.cte(f"row_{n}"))
    return stmt


def bound_values(n: int, model: Any, keys: Iterable[str]) -> dict[str, Any]:
    """The ``n``-th row's columns as typed parameters named as ``row_params`` names them."""
    table: Table = model.__table__
    return {key: bindparam(f"r{n}_{key}", type_=table.c[key].type) for key in keys}


def row_params(*rows: Mapping[str, Any]) -> dict[str, Any]:
    return {f"r{n}_{key}": value for n, values in enumerate(rows) for key, value in values.items()}
