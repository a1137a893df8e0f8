"""workflow: signature capture on the on-site record; responsibility re-confirmation answers

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "onsite_signature",
        sa.Column("capture", sa.String(24), server_default="own_account", nullable=False),
    )
    op.add_column("onsite_signature", sa.Column("captured_by_member_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_onsite_signature_captured_by_member_id_visit_member"),
        "onsite_signature",
        "visit_member",
        ["captured_by_member_id"],
        ["id"],
    )
    # Heads' signatures recorded before were all taken on an inspector's device.
    op.execute("UPDATE onsite_signature SET capture = 'inspector_device' WHERE signer_role = 'unit_head'")


    for name, column in (
        ("confirmation_requested_at", sa.DateTime(timezone=True)),
        ("last_confirmed_at", sa.DateTime(timezone=True)),
        ("declined_at", sa.DateTime(timezone=True)),
        ("decline_reason", sa.Text()),
        ("answered_by", sa.String(200)),
    ):
        op.add_column("responsibility_assignment", sa.Column(name, column, nullable=True))


def downgrade() -> None:
    for name in (
        "answered_by",
        "decline_reason",
        "declined_at",
        "last_confirmed_at",
        "confirmation_requested_at",
    ):
        op.drop_column("responsibility_assignment", name)
    op.drop_constraint(
        op.f("fk_onsite_signature_captured_by_member_id_visit_member"),
        "onsite_signature",
        type_="foreignkey",
    )
    op.drop_column("onsite_signature", "captured_by_member_id")
    op.drop_column("onsite_signature", "capture")
