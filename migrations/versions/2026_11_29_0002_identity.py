"""identity: person position, live-only subject uniqueness, person region index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Enterprise staff carry their position (main responsible person, safety manager, other).
    op.add_column("person", sa.Column("position", sa.String(length=32), nullable=True))
    # A soft-deleted person frees its IdP subject (the tombstone keeps it for the record).
    op.drop_index("uq_person_subject", table_name="person",
                  postgresql_where=sa.text("subject IS NOT NULL"))
    op.create_index("uq_person_subject", "person", ["subject"], unique=True,
                    postgresql_where=sa.text("subject IS NOT NULL AND deleted_at IS NULL"))
    # People of government units are scoped by region subtree.
    op.create_index("ix_person_region_code", "person", ["region_code", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_person_region_code", table_name="person")
    op.drop_index("uq_person_subject", table_name="person",
                  postgresql_where=sa.text("subject IS NOT NULL AND deleted_at IS NULL"))
    op.create_index("uq_person_subject", "person", ["subject"], unique=True,
                    postgresql_where=sa.text("subject IS NOT NULL"))
    op.drop_column("person", "position")
