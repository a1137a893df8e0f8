"""Hazard writes that the unit of work would do more slowly: a step's UPDATE, and a new
hazard's gapless code taken in the same statement as its timeline, audit and outbox rows."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Insert, Table, Text, bindparam, func, inspect, literal_column, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy import insert as sql_insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from app.core.rows import bound_values, row_params
from app.models.audit import AuditEvent, OutboxEvent
from app.models.hazard import Hazard, HazardCodeCounter, HazardEvent

HAZARD = cast(Table, Hazard.__table__)
# What the database sets on an UPDATE of a hazard (the unit of work's RETURNING, eager_defaults)
_SERVER_SET = ("county_code", "search_ngrams", "updated_at")
_COLUMN_KEYS = frozenset(c.key for c in HAZARD.c) - set(_SERVER_SET) - {"id", "version"}


async def save_step(session: AsyncSession, hz: Hazard) -> None:
    """Write a locked hazard's changed columns as the unit of work would (version bumped and
    checked, server-set values back), from a statement built once per set of changed columns:
    the generic flush costs a lifecycle step more CPU than the rest of its SQL. Anything else
    pending in the session (new rows, other objects) goes through the ordinary flush."""
    state = inspect(hz)
    changed = tuple(sorted(state.committed_state))
    others_pending = session.new or session.deleted or any(o is not hz for o in session.dirty)
    if others_pending or not changed or not _COLUMN_KEYS.issuperset(changed):
        await session.flush()
        return
    params = {key: state.dict[key] for key in changed}
    params |= {"_id": hz.id, "_version": hz.version, "_next_version": hz.version + 1}
    connection = await session.connection()
    row = (await connection.execute(_step_update(changed), params)).one_or_none()
    if row is None:  # cannot happen under FOR UPDATE; the unit of work would raise the same
        raise StaleDataError(f"hazard {hz.id} changed under its lock")
    state.dict.update(row._mapping, version=hz.version + 1)
    state._commit_all(state.dict, session.sync_session.identity_map)


@lru_cache(maxsize=128)
def _step_update(changed: tuple[str, ...]) -> Any:
    values: dict[str, Any] = {key: bindparam(key, type_=HAZARD.c[key].type) for key in changed}
    values |= {"version": bindparam("_next_version"), "updated_at": func.now()}
    return (
        update(HAZARD)
        .where(HAZARD.c.id == bindparam("_id"), HAZARD.c.version == bindparam("_version"))
        .values(values)
        .returning(*(HAZARD.c[key] for key in _SERVER_SET))
    )


async def insert_created(
    session: AsyncSession,
    hz: Hazard,
    county_code: str,
    year: int,
    rows: tuple[Mapping[str, Any], Mapping[str, Any], Mapping[str, Any]],
) -> None:
    """Give a new hazard the next serial of its county and year and write its timeline row,
    audit row and outbox event, in one statement.

    The counter row stays locked until commit, so concurrent creates of a county queue behind
    each other and a rolled-back create frees its number (gapless). Taking the number in the
    last statement before the commit keeps that queue short. The audit row (``changes.code.new``)
    and the event (``data.code``) were built with the provisional code; the statement puts the
    real one in."""
    event, audit, outbox = rows
    shape = (tuple(event), tuple(audit), tuple(outbox))
    params = row_params(event, audit, outbox) | {
        "_county": county_code,
        "_year": year,
        "_prefix": f"{county_code}-{year}-",
        "_id": hz.id,
    }
    connection = await session.connection()
    code = (await connection.execute(_insert_created(shape), params)).scalar_one()
    set_committed_value(hz, "code", code)


@lru_cache(maxsize=16)
def _insert_created(shape: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]) -> Insert:
    counter = cast(Table, HazardCodeCounter.__table__)
    upsert = pg_insert(counter).values(
        county_code=bindparam("_county"), year=bindparam("_year"), last_value=1
    )
    serial = upsert.on_conflict_do_update(
        index_elements=[counter.c.county_code, counter.c.year],
        set_={"last_value": counter.c.last_value + 1},
    ).returning(
        (
            bindparam("_prefix", type_=Text)
            + func.lpad(sql_cast(counter.c.last_value, Text), 6, "0")
        ).label("code")
    )
    serial_cte = serial.cte("serial")
    coded = (
        update(HAZARD)
        .where(HAZARD.c.id == bindparam("_id"))
        .values(code=select(serial_cte.c.code).scalar_subquery())
        .returning(HAZARD.c.code)
        .cte("coded")
    )
    code_json = func.to_jsonb(coded.c.code)
    event_keys, audit_keys, outbox_keys = shape

    def from_coded(n: int, model: Any, keys: tuple[str, ...], column: str, path: str) -> Insert:
        values = bound_values(n, model, keys)
        values[column] = func.jsonb_set(values[column], literal_column(path), code_json)
        return insert(model, keys, values)

    def insert(model: Any, keys: tuple[str, ...], values: dict[str, Any]) -> Insert:
        return sql_insert(model.__table__).from_select(
            list(keys), select(*(values[k].label(k) for k in keys)).select_from(coded)
        )

    timeline = sql_insert(cast(Table, HazardEvent.__table__)).values(
        bound_values(0, HazardEvent, event_keys)
    )
    audit = from_coded(1, AuditEvent, audit_keys, "changes", "'{code,new}'::text[]")
    stmt = from_coded(2, OutboxEvent, outbox_keys, "data", "'{code}'::text[]")
    outbox = cast(Table, OutboxEvent.__table__)
    return (
        stmt.returning(outbox.c.data["code"].astext)
        .add_cte(serial_cte)
        .add_cte(coded)
        .add_cte(timeline.cte("timeline"))
        .add_cte(audit.cte("audit"))
    )
