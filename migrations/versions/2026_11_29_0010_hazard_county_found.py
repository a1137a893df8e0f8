"""hazards: index (county_code, found_at, id) for a county's hazards newest first

A text search for a frequent term walks it in order and stops after one page, instead of
collecting and sorting every match (see app.core.search).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_hazard_county_found", "hazard", ["county_code", "found_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_hazard_county_found", table_name="hazard")
