"""statistics: import jobs, hazard rollups kept exact by triggers

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

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
# the expression of each key column for a hazard row ``h``
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
    # overdue as of the overdue clock's date (see anjian_hazard_roll_overdue)
    "overdue": f"({OPEN} AND h.deadline IS NOT NULL AND h.deadline < as_of)",
}
DAYS = f"{CLOSED_ON} - (h.found_at AT TIME ZONE 'Asia/Shanghai')::date"
TRACKED = ("status", "level", "sector", "source", "region_code", "order_department_id",
           "found_at", "deadline", "closed_at", "deleted_at")


def _upsert(cuboid: str, key: tuple[str, ...]) -> str:
    table = f"hazard_rollup_{cuboid}"
    cols = ", ".join(key + MEASURES)
    values = ", ".join([KEY_EXPR[k] for k in key]
                       + [f"CASE WHEN {MEASURE_EXPR[m]} THEN sign ELSE 0 END" for m in MEASURES])
    updates = ", ".join(f"{m} = t.{m} + EXCLUDED.{m}" for m in MEASURES)
    keys = ", ".join(key)
    return (
        f"  INSERT INTO {table} AS t ({cols}) VALUES ({values})\n"
        f"  ON CONFLICT ({keys}) DO UPDATE SET {updates};\n"
        "  IF h.status = 'closed' AND h.closed_at IS NOT NULL THEN\n"
        f"    INSERT INTO hazard_close_days_{cuboid} AS t ({keys}, days, n)\n"
        f"    VALUES ({', '.join(KEY_EXPR[k] for k in key)}, {DAYS}, sign)\n"
        f"    ON CONFLICT ({keys}, days) DO UPDATE SET n = t.n + EXCLUDED.n;\n"
        "  END IF;\n")


# Days to close per year found (not month): a twelfth of the rows, for medians over whole years.
FOUND_YEAR = "extract(year FROM h.found_at AT TIME ZONE 'Asia/Shanghai')::smallint"
YEARLY_UPSERT = (
    "  IF h.status = 'closed' AND h.closed_at IS NOT NULL THEN\n"
    "    INSERT INTO hazard_close_days_region_year AS t\n"
    "      (region_code, sector, level, found_year, days, n)\n"
    f"    VALUES (h.region_code, h.sector, coalesce(h.level, ''), {FOUND_YEAR}, {DAYS}, sign)\n"
    "    ON CONFLICT (region_code, sector, level, found_year, days)\n"
    "    DO UPDATE SET n = t.n + EXCLUDED.n;\n"
    "  END IF;\n")

APPLY_FUNCTION = (
    "CREATE FUNCTION anjian_hazard_rollup_apply(h hazard, sign integer) RETURNS void\n"
    "LANGUAGE plpgsql AS $$\nDECLARE as_of date;\nBEGIN\n"
    "  IF h.deleted_at IS NOT NULL THEN RETURN; END IF;\n"
    "  SELECT c.as_of INTO as_of FROM hazard_overdue_clock AS c WHERE c.id = 1;\n"
    + "".join(_upsert(c, k) for c, k in CUBOIDS.items()) + YEARLY_UPSERT + "END\n$$")

_OLD = ", ".join(f"OLD.{c}" for c in TRACKED)
_NEW = ", ".join(f"NEW.{c}" for c in TRACKED)
TRIGGER_FUNCTION = (
    "CREATE FUNCTION anjian_hazard_rollup() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN\n"
    f"  IF TG_OP = 'UPDATE' AND ({_OLD}) IS NOT DISTINCT FROM ({_NEW}) THEN\n"
    "    RETURN NULL;\n"
    "  END IF;\n"
    "  IF TG_OP IN ('UPDATE', 'DELETE') THEN\n"
    "    PERFORM anjian_hazard_rollup_apply(OLD, -1);\n"
    "  END IF;\n"
    "  IF TG_OP IN ('UPDATE', 'INSERT') THEN\n"
    "    PERFORM anjian_hazard_rollup_apply(NEW, 1);\n"
    "  END IF;\n"
    "  RETURN NULL;\n"
    "END\n$$")


def _roll(cuboid: str, key: tuple[str, ...]) -> str:
    keys = ", ".join(key)
    return (
        f"  INSERT INTO hazard_rollup_{cuboid} AS t ({keys}, {', '.join(MEASURES)})\n"
        f"  SELECT {', '.join(KEY_EXPR[k] for k in key)}, "
        + ", ".join("0" for _ in MEASURES[:-1]) + ", sign * count(*)::int\n"
        f"  FROM hazard AS h WHERE {OPEN} AND h.deleted_at IS NULL\n"
        "    AND h.deadline >= low AND h.deadline < high\n"
        f"  GROUP BY {', '.join(KEY_EXPR[k] for k in key)}\n"
        f"  ON CONFLICT ({keys}) DO UPDATE SET overdue = t.overdue + EXCLUDED.overdue;\n")


# Move the overdue clock to ``target`` (the worker calls it after midnight, China time): open
# hazards whose deadline lies between the old and the new date become (or stop being) overdue.
# Hazard writes are held off meanwhile (SHARE lock), so no trigger reads a half-moved clock.
ROLL_FUNCTION = (
    "CREATE FUNCTION anjian_hazard_roll_overdue(target date) RETURNS integer\n"
    "LANGUAGE plpgsql AS $$\nDECLARE was_on date; low date; high date; sign integer;\n"
    "BEGIN\n"
    "  SELECT as_of INTO was_on FROM hazard_overdue_clock WHERE id = 1;\n"
    "  IF target = was_on THEN RETURN 0; END IF;  -- the usual case: no lock taken\n"
    "  LOCK TABLE hazard IN SHARE MODE;\n"
    "  SELECT as_of INTO was_on FROM hazard_overdue_clock WHERE id = 1 FOR UPDATE;\n"
    "  IF target = was_on THEN RETURN 0; END IF;\n"
    "  low := least(was_on, target); high := greatest(was_on, target);\n"
    "  sign := CASE WHEN target > was_on THEN 1 ELSE -1 END;\n"
    + "".join(_roll(c, k) for c, k in CUBOIDS.items())
    + "  UPDATE hazard_overdue_clock SET as_of = target WHERE id = 1;\n"
    "  RETURN target - was_on;\n"
    "END\n$$")

TRIGGER = ("CREATE TRIGGER hazard_rollup AFTER INSERT OR UPDATE OR DELETE ON hazard "
           "FOR EACH ROW EXECUTE FUNCTION anjian_hazard_rollup()")

# Existing hazards (an upgrade of a populated database) are counted once, at upgrade time.
BACKFILL = "SELECT count(anjian_hazard_rollup_apply(h, 1)) FROM hazard AS h"
TODAY = "(now() AT TIME ZONE 'Asia/Shanghai')::date"


def _key_column(name: str) -> sa.Column:  # type: ignore[type-arg]
    types = {"region_code": sa.String(length=12, collation="C"), "sector": sa.String(length=32),
             "level": sa.String(length=16), "source": sa.String(length=32),
             "department_id": sa.Uuid(), "found_month": sa.Date()}
    return sa.Column(name, types[name], nullable=False)


def _count(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.Integer(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "import_job",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("file_format", sa.String(length=8), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("principal", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("processed_rows", sa.Integer(), nullable=False),
        sa.Column("created_rows", sa.Integer(), nullable=False),
        sa.Column("unchanged_rows", sa.Integer(), nullable=False),
        sa.Column("error_rows", sa.Integer(), nullable=False),
        sa.Column("ignored_columns", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("failure", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_import_job"),
    )
    op.create_index("ix_import_job_created_by", "import_job", ["created_by", "id"])
    op.create_index("ix_import_job_queue", "import_job", ["created_at"],
                    postgresql_where=sa.text("status IN ('queued', 'running')"))
    op.create_table(
        "import_job_error",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("errors", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("values", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["import_job.id"], ondelete="CASCADE",
                                name="fk_import_job_error_job_id_import_job"),
        sa.PrimaryKeyConstraint("job_id", "row_number", name="pk_import_job_error"),
    )

    op.create_table(
        "hazard_overdue_clock",
        sa.Column("id", sa.SmallInteger(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_hazard_overdue_clock"),
        sa.CheckConstraint("id = 1", name="ck_hazard_overdue_clock_single_row"),
    )
    op.execute(f"INSERT INTO hazard_overdue_clock (id, as_of) VALUES (1, {TODAY})")
    for cuboid, key in CUBOIDS.items():
        op.create_table(
            f"hazard_rollup_{cuboid}", *[_key_column(k) for k in key],
            *[_count(m) for m in MEASURES],
            sa.PrimaryKeyConstraint(*key, name=f"pk_hazard_rollup_{cuboid}"))
        op.create_table(
            f"hazard_close_days_{cuboid}", *[_key_column(k) for k in key],
            sa.Column("days", sa.Integer(), nullable=False), _count("n"),
            sa.PrimaryKeyConstraint(*key, "days", name=f"pk_hazard_close_days_{cuboid}"))
    op.create_table(
        "assessment",
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("unit_kind", sa.String(length=16), nullable=False),
        sa.Column("region_code", sa.String(length=12, collation="C"), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("indicators", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("inputs", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("finalized_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finalized_by", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_assessment"),
    )
    op.create_index("uq_assessment_year_unit_kind_region_code", "assessment",
                    ["year", "unit_kind", "region_code"], unique=True)
    op.create_table(
        "enterprise_statistics_report",
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=12, collation="C"), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("figures", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("generated_by", sa.String(length=200), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_by", sa.String(length=200), nullable=True),
        sa.Column("signer_name", sa.String(length=100), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"],
                                name="fk_enterprise_statistics_report_enterprise_id_enterprise"),
        sa.PrimaryKeyConstraint("id", name="pk_enterprise_statistics_report"),
    )
    op.create_index("uq_enterprise_statistics_report_enterprise_id_period",
                    "enterprise_statistics_report", ["enterprise_id", "period"], unique=True)
    op.create_table(
        "hazard_close_days_region_year",
        _key_column("region_code"), _key_column("sector"), _key_column("level"),
        sa.Column("found_year", sa.SmallInteger(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False), _count("n"),
        sa.PrimaryKeyConstraint("region_code", "sector", "level", "found_year", "days",
                                name="pk_hazard_close_days_region_year"))
    op.execute(APPLY_FUNCTION)
    op.execute(TRIGGER_FUNCTION)
    op.execute(ROLL_FUNCTION)
    op.execute(TRIGGER)
    op.execute(BACKFILL)


def downgrade() -> None:
    op.execute("DROP TRIGGER hazard_rollup ON hazard")
    op.execute("DROP FUNCTION anjian_hazard_roll_overdue(date)")
    op.execute("DROP FUNCTION anjian_hazard_rollup()")
    op.execute("DROP FUNCTION anjian_hazard_rollup_apply(hazard, integer)")
    for cuboid in reversed(CUBOIDS):
        op.drop_table(f"hazard_close_days_{cuboid}")
        op.drop_table(f"hazard_rollup_{cuboid}")
    op.drop_table("hazard_close_days_region_year")
    op.drop_table("hazard_overdue_clock")
    op.drop_index("uq_enterprise_statistics_report_enterprise_id_period",
                  table_name="enterprise_statistics_report")
    op.drop_table("enterprise_statistics_report")
    op.drop_index("uq_assessment_year_unit_kind_region_code", table_name="assessment")
    op.drop_table("assessment")
    op.drop_table("import_job_error")
    op.drop_index("ix_import_job_queue", table_name="import_job")
    op.drop_index("ix_import_job_created_by", table_name="import_job")
    op.drop_table("import_job")
