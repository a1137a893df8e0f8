"""statistics: storage settings for the tables every hazard change updates in place

The rollup rows, the days-to-close histograms and the code counters are small and updated by
every hazard change, never on an indexed column. Free room on each page (fillfactor 50) keeps
such an update on its page (a HOT update: no new index entry; the page prunes dead versions
itself), and autovacuum visits these tables after 1 % of their rows changed instead of 20 %, so
the dead versions a busy day leaves do not slow the statistics that read them. (A bulk load
that updates the same rows many times in one transaction still bloats them until VACUUM: the
benchmark compacts them after seeding.)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HOT_TABLES = (
    "hazard_rollup_region",
    "hazard_rollup_source",
    "hazard_rollup_department",
    "hazard_close_days_region",
    "hazard_close_days_source",
    "hazard_close_days_department",
    "hazard_close_days_region_year",
    "hazard_code_counter",
)
SETTINGS = (
    "fillfactor = 50, autovacuum_vacuum_scale_factor = 0.01, "
    "autovacuum_vacuum_threshold = 1000, autovacuum_analyze_scale_factor = 0.05"
)


def upgrade() -> None:
    for table in HOT_TABLES:
        op.execute(f"ALTER TABLE {table} SET ({SETTINGS})")


def downgrade() -> None:
    reset = "fillfactor, autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, "
    reset += "autovacuum_analyze_scale_factor"
    for table in HOT_TABLES:
        op.execute(f"ALTER TABLE {table} RESET ({reset})")
