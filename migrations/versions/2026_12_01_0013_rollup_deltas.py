"""hazard rollups from an insert-only delta table (no shared row locked by writers)

Until 0012 the rollup trigger upserted the rollup rows in the writer's transaction: two writers
changing hazards of the same (town, sector, month, level|source|department) queued on that row
until commit, and two that moved hazards between two keys in opposite directions locked the
two rows in opposite orders (deadlock). Now:

- the trigger only INSERTs the old row's contribution (sign -1) and the new row's (+1) into
  ``hazard_rollup_delta``: an insert-only table without indexes or unique keys, so a writer
  never waits for another writer because of a counter;
- the counted rows live in ``hazard_rollup_<cuboid>_folded`` / ``hazard_close_days_<cuboid>
  _folded`` (the former tables, renamed), and the names the readers use
  (``hazard_rollup_region`` …) are views adding the pending deltas to them, so every figure is
  exact at any moment, in any snapshot;
- ``anjian_hazard_rollup_fold()`` (the worker, every poll) moves the deltas into the folded
  tables in one statement (DELETE … RETURNING feeding one grouped upsert per table), under a
  transaction-level advisory lock: only one folder ever locks folded rows, so nothing can cross;
- the overdue roll writes its adjustment as deltas too, and the rebuild takes the folder's lock
  before it truncates.

Also the idempotency fence: ``idempotency_record.claim`` (the execution holding the key) and
``committed_at`` (set by that execution's own business transaction, see app.core.idempotency).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Definitions copied from 0007 (a migration is frozen; the statistics tests recount them).
STATUSES = ("reported", "registered", "planning", "rectifying", "extension_requested",
            "pending_verification", "escalated", "closed", "cancelled")
OPEN = "h.status NOT IN ('closed', 'cancelled')"
MEASURES = tuple(f"n_{s}" for s in STATUSES) + (
    "closed_with_deadline", "closed_on_time", "major_open", "major_closed", "overdue")
NIL = "00000000-0000-0000-0000-000000000000"
CUBOIDS = {
    "region": ("region_code", "sector", "level", "found_month"),
    "source": ("region_code", "sector", "source", "found_month"),
    "department": ("region_code", "department_id", "sector", "found_month"),
}
KEYS = ("region_code", "sector", "level", "source", "department_id", "found_month")
KEY_EXPR = {
    "region_code": "h.region_code",
    "sector": "h.sector",
    "level": "coalesce(h.level, '')",
    "source": "h.source",
    "department_id": f"coalesce(h.order_department_id, '{NIL}'::uuid)",
    "found_month": "date_trunc('month', h.found_at AT TIME ZONE 'Asia/Shanghai')::date",
}
CLOSED_ON = "(h.closed_at AT TIME ZONE 'Asia/Shanghai')::date"
MEASURE_EXPR = {
    **{f"n_{s}": f"(h.status = '{s}')" for s in STATUSES},
    "closed_with_deadline": "(h.status = 'closed' AND h.deadline IS NOT NULL)",
    "closed_on_time": f"(h.status = 'closed' AND h.deadline IS NOT NULL AND "
                      f"{CLOSED_ON} <= h.deadline)",
    "major_open": f"(h.level = 'major' AND {OPEN})",
    "major_closed": "(h.level = 'major' AND h.status = 'closed')",
    "overdue": f"({OPEN} AND h.deadline IS NOT NULL AND h.deadline < as_of)",
}
DAYS = f"{CLOSED_ON} - (h.found_at AT TIME ZONE 'Asia/Shanghai')::date"
CLOSES = "(h.status = 'closed' AND h.closed_at IS NOT NULL)"
FOUND_YEAR = "extract(year FROM h.found_at AT TIME ZONE 'Asia/Shanghai')::smallint"
FOLD_LOCK = 7_300_013  # pg_advisory_xact_lock key of the folder (and of the rebuild)
COLUMN_TYPES = {
    "region_code": 'varchar(12) COLLATE "C"', "sector": "varchar(32)", "level": "varchar(16)",
    "source": "varchar(32)", "department_id": "uuid", "found_month": "date",
}
SETTINGS = (
    "autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000, "
    "autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 5000"
)

DELTA_TABLE = (
    "CREATE TABLE hazard_rollup_delta (\n"
    + "".join(f"  {k} {COLUMN_TYPES[k]} NOT NULL,\n" for k in KEYS)
    + "  days integer,\n  closes integer NOT NULL,\n"
    + ",\n".join(f"  {m} integer NOT NULL" for m in MEASURES)
    + f"\n) WITH ({SETTINGS})"
)

APPLY_FUNCTION = (
    "CREATE OR REPLACE FUNCTION anjian_hazard_rollup_apply(h hazard, sign integer)\n"
    "RETURNS void LANGUAGE plpgsql AS $$\nDECLARE as_of date;\nBEGIN\n"
    "  IF h.deleted_at IS NOT NULL THEN RETURN; END IF;\n"
    "  SELECT c.as_of INTO as_of FROM hazard_overdue_clock AS c WHERE c.id = 1;\n"
    f"  INSERT INTO hazard_rollup_delta ({', '.join(KEYS)}, days, closes, {', '.join(MEASURES)})\n"
    f"  VALUES ({', '.join(KEY_EXPR[k] for k in KEYS)},\n"
    f"    CASE WHEN {CLOSES} THEN {DAYS} END, CASE WHEN {CLOSES} THEN sign ELSE 0 END,\n    "
    + ", ".join(f"CASE WHEN {MEASURE_EXPR[m]} THEN sign ELSE 0 END" for m in MEASURES)
    + ");\nEND\n$$"
)

# Overdue moved from one date to another: the open hazards whose deadline lies between them,
# written as deltas (one row per key, only the overdue measure). Hazard writes are held off
# meanwhile (SHARE lock), so no trigger computes a contribution against a half-moved clock.
ROLL_FUNCTION = (
    "CREATE OR REPLACE FUNCTION anjian_hazard_roll_overdue(target date) RETURNS integer\n"
    "LANGUAGE plpgsql AS $$\nDECLARE was_on date; low date; high date; sign integer;\n"
    "BEGIN\n"
    "  SELECT as_of INTO was_on FROM hazard_overdue_clock WHERE id = 1;\n"
    "  IF target = was_on THEN RETURN 0; END IF;  -- the usual case: no lock taken\n"
    "  LOCK TABLE hazard IN SHARE MODE;\n"
    "  SELECT as_of INTO was_on FROM hazard_overdue_clock WHERE id = 1 FOR UPDATE;\n"
    "  IF target = was_on THEN RETURN 0; END IF;\n"
    "  low := least(was_on, target); high := greatest(was_on, target);\n"
    "  sign := CASE WHEN target > was_on THEN 1 ELSE -1 END;\n"
    f"  INSERT INTO hazard_rollup_delta ({', '.join(KEYS)}, days, closes, {', '.join(MEASURES)})\n"
    f"  SELECT {', '.join(KEY_EXPR[k] for k in KEYS)}, NULL, 0, "
    + ", ".join("0" for _ in MEASURES[:-1]) + ", sign * count(*)::int\n"
    f"  FROM hazard AS h WHERE {OPEN} AND h.deleted_at IS NULL\n"
    "    AND h.deadline >= low AND h.deadline < high\n"
    f"  GROUP BY {', '.join(KEY_EXPR[k] for k in KEYS)};\n"
    "  UPDATE hazard_overdue_clock SET as_of = target WHERE id = 1;\n"
    "  RETURN target - was_on;\n"
    "END\n$$"
)


def _fold_cte(cuboid: str, key: tuple[str, ...]) -> str:
    keys = ", ".join(key)
    sums = ", ".join(f"sum({m})::int" for m in MEASURES)
    updates = ", ".join(f"{m} = t.{m} + EXCLUDED.{m}" for m in MEASURES)
    return (
        f"  r_{cuboid} AS (INSERT INTO hazard_rollup_{cuboid}_folded AS t ({keys}, "
        f"{', '.join(MEASURES)})\n"
        f"    SELECT {keys}, {sums} FROM d GROUP BY {keys} ORDER BY {keys}\n"
        f"    ON CONFLICT ({keys}) DO UPDATE SET {updates}),\n"
        f"  h_{cuboid} AS (INSERT INTO hazard_close_days_{cuboid}_folded AS t ({keys}, days, n)\n"
        f"    SELECT {keys}, days, sum(closes)::int FROM d WHERE closes <> 0\n"
        f"    GROUP BY {keys}, days ORDER BY {keys}, days\n"
        f"    ON CONFLICT ({keys}, days) DO UPDATE SET n = t.n + EXCLUDED.n),\n"
    )


YEAR_OF_MONTH = "extract(year FROM found_month)::smallint"
FOLD_FUNCTION = (
    "CREATE FUNCTION anjian_hazard_rollup_fold() RETURNS bigint\n"
    "LANGUAGE plpgsql AS $$\nDECLARE folded bigint;\nBEGIN\n"
    f"  PERFORM pg_advisory_xact_lock({FOLD_LOCK});\n"
    "  WITH d AS (DELETE FROM hazard_rollup_delta RETURNING *),\n"
    + "".join(_fold_cte(c, k) for c, k in CUBOIDS.items())
    + "  h_year AS (INSERT INTO hazard_close_days_region_year_folded AS t\n"
    "      (region_code, sector, level, found_year, days, n)\n"
    f"    SELECT region_code, sector, level, {YEAR_OF_MONTH}, days, sum(closes)::int\n"
    "    FROM d WHERE closes <> 0\n"
    f"    GROUP BY region_code, sector, level, {YEAR_OF_MONTH}, days\n"
    f"    ORDER BY region_code, sector, level, {YEAR_OF_MONTH}, days\n"
    "    ON CONFLICT (region_code, sector, level, found_year, days)\n"
    "    DO UPDATE SET n = t.n + EXCLUDED.n)\n"
    "  SELECT count(*) INTO folded FROM d;\n"
    "  RETURN folded;\n"
    "END\n$$"
)


def _measures_view(cuboid: str, key: tuple[str, ...]) -> str:
    keys = ", ".join(key)
    cols = f"{keys}, {', '.join(MEASURES)}"
    sums = ", ".join(f"sum({m})::int AS {m}" for m in MEASURES)
    return (
        f"CREATE VIEW hazard_rollup_{cuboid} AS\n"
        f"SELECT {keys}, {sums} FROM (\n"
        f"  SELECT {cols} FROM hazard_rollup_{cuboid}_folded\n"
        f"  UNION ALL SELECT {cols} FROM hazard_rollup_delta) AS u\n"
        f"GROUP BY {keys}"
    )


def _histogram_view(cuboid: str, key: tuple[str, ...]) -> str:
    keys = ", ".join(key)
    return (
        f"CREATE VIEW hazard_close_days_{cuboid} AS\n"
        f"SELECT {keys}, days, sum(n)::int AS n FROM (\n"
        f"  SELECT {keys}, days, n FROM hazard_close_days_{cuboid}_folded\n"
        f"  UNION ALL SELECT {keys}, days, closes FROM hazard_rollup_delta WHERE closes <> 0\n"
        f") AS u GROUP BY {keys}, days"
    )


YEAR_VIEW = (
    "CREATE VIEW hazard_close_days_region_year AS\n"
    "SELECT region_code, sector, level, found_year, days, sum(n)::int AS n FROM (\n"
    "  SELECT region_code, sector, level, found_year, days, n\n"
    "  FROM hazard_close_days_region_year_folded\n"
    f"  UNION ALL SELECT region_code, sector, level, {YEAR_OF_MONTH}, days, closes\n"
    "  FROM hazard_rollup_delta WHERE closes <> 0\n"
    ") AS u GROUP BY region_code, sector, level, found_year, days"
)

FOLDED_TABLES = [f"hazard_{kind}_{c}" for c in CUBOIDS for kind in ("rollup", "close_days")]
FOLDED_TABLES.append("hazard_close_days_region_year")


def _rebuild_cuboid(cuboid: str, key: tuple[str, ...]) -> str:
    keys = ", ".join(key)
    group = ", ".join(KEY_EXPR[k] for k in key)
    counts = ", ".join(f"count(*) FILTER (WHERE {MEASURE_EXPR[m]})::int" for m in MEASURES)
    live = "FROM hazard AS h WHERE h.deleted_at IS NULL"
    return (
        f"  INSERT INTO hazard_rollup_{cuboid}_folded ({keys}, {', '.join(MEASURES)})\n"
        f"  SELECT {group}, {counts} {live} GROUP BY {group};\n"
        f"  INSERT INTO hazard_close_days_{cuboid}_folded ({keys}, days, n)\n"
        f"  SELECT {group}, {DAYS}, count(*)::int {live} AND {CLOSES} GROUP BY {group}, {DAYS};\n"
    )


# The rebuild of 0009 on the folded tables: the folder's lock first (so a fold never holds the
# delta table while the rebuild waits for it), then hazard writes held off (SHARE lock), then the
# folded tables and the pending deltas replaced in the caller's transaction.
REBUILD_FUNCTION = (
    "CREATE OR REPLACE FUNCTION anjian_hazard_rollup_rebuild() RETURNS bigint\n"
    "LANGUAGE plpgsql AS $$\nDECLARE as_of date; live bigint;\nBEGIN\n"
    f"  PERFORM pg_advisory_xact_lock({FOLD_LOCK});\n"
    "  LOCK TABLE hazard IN SHARE MODE;\n"
    "  SELECT c.as_of INTO as_of FROM hazard_overdue_clock AS c WHERE c.id = 1 FOR UPDATE;\n"
    f"  TRUNCATE {', '.join(t + '_folded' for t in FOLDED_TABLES)}, hazard_rollup_delta;\n"
    + "".join(_rebuild_cuboid(c, k) for c, k in CUBOIDS.items())
    + "  INSERT INTO hazard_close_days_region_year_folded\n"
    "    (region_code, sector, level, found_year, days, n)\n"
    f"  SELECT h.region_code, h.sector, coalesce(h.level, ''), {FOUND_YEAR}, {DAYS}, "
    "count(*)::int\n"
    f"  FROM hazard AS h WHERE h.deleted_at IS NULL AND {CLOSES}\n"
    f"  GROUP BY h.region_code, h.sector, coalesce(h.level, ''), {FOUND_YEAR}, {DAYS};\n"
    "  SELECT coalesce(sum(" + " + ".join(f"r.n_{s}" for s in STATUSES) + "), 0)\n"
    "    INTO live FROM hazard_rollup_region_folded AS r;\n"
    "  RETURN live;\n"
    "END\n$$"
)


def upgrade() -> None:
    # Idempotency fencing: the claim's token, and the mark its business transaction sets.
    op.add_column("idempotency_record", sa.Column("claim", sa.Uuid(), nullable=True))
    op.add_column("idempotency_record",
                  sa.Column("committed_at", sa.DateTime(timezone=True), nullable=True))
    for table in FOLDED_TABLES:
        op.execute(f"ALTER TABLE {table} RENAME TO {table}_folded")
        op.execute(f"ALTER TABLE {table}_folded RENAME CONSTRAINT pk_{table} TO pk_{table}_folded")
    op.execute(DELTA_TABLE)
    for cuboid, key in CUBOIDS.items():
        op.execute(_measures_view(cuboid, key))
        op.execute(_histogram_view(cuboid, key))
    op.execute(YEAR_VIEW)
    op.execute(APPLY_FUNCTION)
    op.execute(ROLL_FUNCTION)
    op.execute(FOLD_FUNCTION)
    op.execute(REBUILD_FUNCTION)


def _frozen(name: str) -> ModuleType:
    """An earlier migration of this directory, for the function definitions it created."""
    path = next(Path(__file__).parent.glob(f"*_{name}_*.py"))
    spec = importlib.util.spec_from_file_location(f"anjian_migration_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def downgrade() -> None:
    op.drop_column("idempotency_record", "committed_at")
    op.drop_column("idempotency_record", "claim")
    op.execute("SELECT anjian_hazard_rollup_fold()")
    for table in FOLDED_TABLES:
        op.execute(f"DROP VIEW {table}")
    op.execute("DROP FUNCTION anjian_hazard_rollup_fold()")
    op.execute("DROP TABLE hazard_rollup_delta")
    for table in FOLDED_TABLES:
        op.execute(f"ALTER TABLE {table}_folded RENAME TO {table}")
        op.execute(f"ALTER TABLE {table} RENAME CONSTRAINT pk_{table}_folded TO pk_{table}")
    statistics, rebuild = _frozen("0007"), _frozen("0009")
    for definition in (statistics.APPLY_FUNCTION, statistics.ROLL_FUNCTION,
                       rebuild.REBUILD_FUNCTION):
        op.execute(definition.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
