"""public_reports

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "public_report",
        sa.Column("receipt_code", sa.String(length=16), nullable=False),
        sa.Column("receipt_secret_hash", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.Uuid(), nullable=True),
        sa.Column("subject_name", sa.String(length=200), nullable=True),
        sa.Column("subject_address", sa.String(length=300), nullable=True),
        sa.Column("region_code", sa.String(length=12, collation="C"), nullable=False),
        sa.Column("sectors", postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("photo_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("reporter_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("reporter_key_id", sa.String(length=16), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assigned_department_id", sa.Uuid(), nullable=True),
        sa.Column("duplicate_of_id", sa.Uuid(), nullable=True),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("finding", sa.String(length=16), nullable=True),
        sa.Column("finding_method", sa.String(length=24), nullable=True),
        sa.Column("finding_note", sa.Text(), nullable=True),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("visit_id", sa.Uuid(), nullable=True),
        sa.Column("hazard_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("reply_due_on", sa.Date(), nullable=True),
        sa.Column("public_reply", sa.Text(), nullable=True),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("reward_status", sa.String(length=16), nullable=False),
        sa.Column("fine_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("reward_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("reward_decided_on", sa.Date(), nullable=True),
        sa.Column("reward_document_number", sa.String(length=100), nullable=True),
        sa.Column("reward_paid_on", sa.Date(), nullable=True),
        sa.Column("reward_payment_reference", sa.String(length=100), nullable=True),
        *_timestamps(),
        sa.Column("sync_xid", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("sync_seq", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assigned_department_id"],
            ["department.id"],
            name=op.f("fk_public_report_assigned_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["public_report.id"],
            name=op.f("fk_public_report_duplicate_of_id_public_report"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_public_report_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_public_report_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_report")),
    )
    op.create_index("uq_public_report_receipt_code", "public_report", ["receipt_code"], unique=True)
    op.create_index("ix_public_report_region_code", "public_report", ["region_code", "id"])
    op.create_index(
        "ix_public_report_assigned_department_id", "public_report", ["assigned_department_id", "id"]
    )
    op.create_index(
        "ix_public_report_enterprise_id", "public_report", ["enterprise_id", "received_on"]
    )
    op.create_index("ix_public_report_duplicate_of_id", "public_report", ["duplicate_of_id"])
    op.create_index("ix_public_report_received_on_lat", "public_report", ["received_on", "lat"])
    op.create_index("ix_public_report_sync", "public_report", ["sync_xid", "sync_seq"])
    op.execute(
        "CREATE TRIGGER public_report_stamp_change BEFORE INSERT OR UPDATE ON public_report "
        "FOR EACH ROW EXECUTE FUNCTION anjian_stamp_change()"
    )

    op.create_table(
        "public_report_event",
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column(
            "occurred_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("actor_role", sa.String(length=32), nullable=False),
        sa.Column("actor_subject", sa.String(length=200), nullable=False),
        sa.Column("from_department_id", sa.Uuid(), nullable=True),
        sa.Column("to_department_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["public_report.id"],
            name=op.f("fk_public_report_event_report_id_public_report"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_report_event")),
    )
    op.create_index(
        "ix_public_report_event_report_id", "public_report_event", ["report_id", "occurred_at"]
    )

    op.create_table(
        "public_report_photo",
        sa.Column("report_id", sa.Uuid(), nullable=True),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["public_report.id"],
                                name=op.f("fk_public_report_photo_report_id_public_report")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_report_photo")),
    )
    op.create_index("ix_public_report_photo_report_id", "public_report_photo", ["report_id"])
    op.create_index("ix_public_report_photo_created_at", "public_report_photo", ["created_at"])

    op.create_table(
        "report_routing_rule",
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("sector", sa.String(length=32), nullable=True),
        sa.Column("region_prefix", sa.String(length=12, collation="C"), nullable=False),
        sa.Column("department_id", sa.Uuid(), nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_report_routing_rule_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_routing_rule")),
    )
    op.create_index(
        "ix_report_routing_rule_region_prefix", "report_routing_rule", ["region_prefix"]
    )

    op.create_table(
        "public_report_rate_window",
        sa.Column("bucket", sa.String(length=16), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint(
            "bucket", "client_key", "window_start", name=op.f("pk_public_report_rate_window")
        ),
    )
    op.create_index(
        "ix_public_report_rate_window_window_start", "public_report_rate_window", ["window_start"]
    )


def downgrade() -> None:
    op.drop_index(
        "ix_public_report_rate_window_window_start", table_name="public_report_rate_window"
    )
    op.drop_table("public_report_rate_window")
    op.drop_index("ix_report_routing_rule_region_prefix", table_name="report_routing_rule")
    op.drop_table("report_routing_rule")
    op.drop_index("ix_public_report_photo_created_at", table_name="public_report_photo")
    op.drop_index("ix_public_report_photo_report_id", table_name="public_report_photo")
    op.drop_table("public_report_photo")
    op.drop_index("ix_public_report_event_report_id", table_name="public_report_event")
    op.drop_table("public_report_event")
    op.execute("DROP TRIGGER public_report_stamp_change ON public_report")
    op.drop_index("ix_public_report_sync", table_name="public_report")
    op.drop_index("ix_public_report_received_on_lat", table_name="public_report")
    op.drop_index("ix_public_report_duplicate_of_id", table_name="public_report")
    op.drop_index("ix_public_report_enterprise_id", table_name="public_report")
    op.drop_index("ix_public_report_assigned_department_id", table_name="public_report")
    op.drop_index("ix_public_report_region_code", table_name="public_report")
    op.drop_index("uq_public_report_receipt_code", table_name="public_report")
    op.drop_table("public_report")
