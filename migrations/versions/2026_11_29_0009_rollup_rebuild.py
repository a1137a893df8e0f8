"""statistics: anjian_hazard_rollup_rebuild(), the rollups recounted set-based from hazard

For bulk loads (the rollup trigger disabled for the load, then one rebuild) and as a repair
tool. Same key and measure definitions as the trigger of 0007, one GROUP BY per table.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Copied from 0007 (a migration is frozen; tests/statistics compares trigger and rebuild).
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
FOUND_YEAR = "extract(year FROM h.found_at AT TIME ZONE 'Asia/Shanghai')::smallint"
LIVE = "FROM hazard AS h WHERE h.deleted_at IS NULL"
CLOSED = f"{LIVE} AND h.status = 'closed' AND h.closed_at IS NOT NULL"
TABLES = ", ".join([f"hazard_rollup_{c}, hazard_close_days_{c}" for c in CUBOIDS]
                   + ["hazard_close_days_region_year"])


def _cuboid(cuboid: str, key: tuple[str, ...]) -> str:
    keys = ", ".join(key)
    group = ", ".join(KEY_EXPR[k] for k in key)
    counts = ", ".join(f"count(*) FILTER (WHERE {MEASURE_EXPR[m]})::int" for m in MEASURES)
    return (
        f"  INSERT INTO hazard_rollup_{cuboid} ({keys}, {', '.join(MEASURES)})\n"
        f"  SELECT {group}, {counts} {LIVE} GROUP BY {group};\n"
        f"  INSERT INTO hazard_close_days_{cuboid} ({keys}, days, n)\n"
        f"  SELECT {group}, {DAYS}, count(*)::int {CLOSED} GROUP BY {group}, {DAYS};\n")


YEARLY = (
    "  INSERT INTO hazard_close_days_region_year\n"
    "    (region_code, sector, level, found_year, days, n)\n"
    f"  SELECT h.region_code, h.sector, coalesce(h.level, ''), {FOUND_YEAR}, {DAYS}, "
    f"count(*)::int {CLOSED}\n"
    f"  GROUP BY h.region_code, h.sector, coalesce(h.level, ''), {FOUND_YEAR}, {DAYS};\n")

# Hazard writes wait meanwhile (SHARE lock), and the rollups are replaced in the caller's
# transaction (TRUNCATE: statistics readers wait for its commit), never seen half-built.
REBUILD_FUNCTION = (
    "CREATE FUNCTION anjian_hazard_rollup_rebuild() RETURNS bigint\n"
    "LANGUAGE plpgsql AS $$\nDECLARE as_of date; live bigint;\nBEGIN\n"
    "  LOCK TABLE hazard IN SHARE MODE;\n"
    "  SELECT c.as_of INTO as_of FROM hazard_overdue_clock AS c WHERE c.id = 1 FOR UPDATE;\n"
    f"  TRUNCATE {TABLES};\n"
    + "".join(_cuboid(c, k) for c, k in CUBOIDS.items()) + YEARLY
    + "  SELECT coalesce(sum(" + " + ".join(f"r.n_{s}" for s in STATUSES) + "), 0)\n"
    "    INTO live FROM hazard_rollup_region AS r;\n"
    "  RETURN live;\n"
    "END\n$$")


def upgrade() -> None:
    op.execute(REBUILD_FUNCTION)


def downgrade() -> None:
    op.execute("DROP FUNCTION anjian_hazard_rollup_rebuild()")
