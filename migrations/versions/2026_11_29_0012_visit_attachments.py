"""attachments: a visit may own attachments (checklist photos, signature images)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("attachment", sa.Column("visit_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_attachment_visit_id_inspection_visit"),
        "attachment",
        "inspection_visit",
        ["visit_id"],
        ["id"],
    )
    op.alter_column("attachment", "hazard_id", existing_type=sa.Uuid(), nullable=True)
    op.create_check_constraint(
        op.f("ck_attachment_one_owner"), "attachment", "num_nonnulls(hazard_id, visit_id) = 1"
    )
    op.create_index(
        "ix_attachment_visit_id",
        "attachment",
        ["visit_id", "created_at"],
        postgresql_where=sa.text("visit_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_attachment_visit_id", table_name="attachment")
    op.drop_constraint(op.f("ck_attachment_one_owner"), "attachment", type_="check")
    op.execute("DELETE FROM attachment WHERE visit_id IS NOT NULL")
    op.alter_column("attachment", "hazard_id", existing_type=sa.Uuid(), nullable=False)
    op.drop_constraint(
        op.f("fk_attachment_visit_id_inspection_visit"), "attachment", type_="foreignkey"
    )
    op.drop_column("attachment", "visit_id")
