"""events

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_event_xid_seq", "outbox_event", ["xid", "seq"], unique=False)
    op.create_table(
        "webhook_subscription",
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("event_types", postgresql.ARRAY(sa.String(length=128)), nullable=False),
        sa.Column("region_code", sa.String(length=12, collation="C"), nullable=True),
        sa.Column("sectors", postgresql.ARRAY(sa.String(length=32)), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.String(length=200), nullable=True),
        sa.Column("secrets", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("owner_api_key_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
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
        sa.ForeignKeyConstraint(
            ["owner_api_key_id"],
            ["api_key.id"],
            name=op.f("fk_webhook_subscription_owner_api_key_id_api_key"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscription")),
    )
    op.create_index(
        "ix_webhook_subscription_owner_api_key_id",
        "webhook_subscription",
        ["owner_api_key_id"],
        unique=False,
    )
    op.create_table(
        "webhook_delivery",
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("event_seq", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.SmallInteger(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["webhook_subscription.id"],
            name=op.f("fk_webhook_delivery_subscription_id_webhook_subscription"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_delivery")),
        sa.UniqueConstraint(
            "subscription_id", "event_id", name="uq_webhook_delivery_subscription_id_event_id"
        ),
    )
    op.create_index(
        "ix_webhook_delivery_due",
        "webhook_delivery",
        ["next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "ix_webhook_delivery_subscription_id_event_seq",
        "webhook_delivery",
        ["subscription_id", "event_seq"],
        unique=False,
    )
    op.create_table(
        "worker_cursor",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("xid", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_worker_cursor")),
    )
    op.create_table(
        "clock_run",
        sa.Column("job", sa.String(length=64), nullable=False),
        sa.Column("last_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_worker", sa.String(length=100), nullable=True),
        sa.Column("last_result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("job", name=op.f("pk_clock_run")),
    )
    op.create_table(
        "clock_firing",
        sa.Column("seq", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_clock_firing")),
        sa.UniqueConstraint(
            "rule", "subject_id", "key", name="uq_clock_firing_rule_subject_id_key"
        ),
    )
    op.create_table(
        "notification",
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("resource_type", sa.String(length=64), nullable=True),
        sa.Column("resource_id", sa.Uuid(), nullable=True),
        sa.Column("recipient_person_id", sa.Uuid(), nullable=True),
        sa.Column("recipient_department_id", sa.Uuid(), nullable=True),
        sa.Column("recipient_region_code", sa.String(length=12, collation="C"), nullable=True),
        sa.Column("recipient_role", sa.String(length=32), nullable=True),
        sa.Column("recipient_enterprise_id", sa.Uuid(), nullable=True),
        sa.Column("region_code", sa.String(length=12, collation="C"), nullable=True),
        sa.Column("enterprise_id", sa.Uuid(), nullable=True),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    op.create_index(
        "ix_notification_recipient_person_id",
        "notification",
        ["recipient_person_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_notification_recipient_department_id",
        "notification",
        ["recipient_department_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_notification_recipient_region_code",
        "notification",
        ["recipient_region_code", "recipient_role", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_notification_recipient_enterprise_id",
        "notification",
        ["recipient_enterprise_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "workday_override",
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("is_workday", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("on", name=op.f("pk_workday_override")),
    )


def downgrade() -> None:
    op.drop_table("workday_override")
    op.drop_index("ix_notification_recipient_enterprise_id", table_name="notification")
    op.drop_index("ix_notification_recipient_region_code", table_name="notification")
    op.drop_index("ix_notification_recipient_department_id", table_name="notification")
    op.drop_index("ix_notification_recipient_person_id", table_name="notification")
    op.drop_table("notification")
    op.drop_table("clock_firing")
    op.drop_table("clock_run")
    op.drop_table("worker_cursor")
    op.drop_index("ix_webhook_delivery_subscription_id_event_seq", table_name="webhook_delivery")
    op.drop_index("ix_webhook_delivery_due", table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_index("ix_webhook_subscription_owner_api_key_id", table_name="webhook_subscription")
    op.drop_table("webhook_subscription")
    op.drop_index("ix_outbox_event_xid_seq", table_name="outbox_event")
