"""hazards: register, code counters, deadline history, timeline, attachments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENT_APPEND_ONLY = """
CREATE FUNCTION anjian_hazard_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'hazard_event is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "hazard_code_counter",
        sa.Column("county_code", sa.String(length=6, collation="C"), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("county_code", "year", name=op.f("pk_hazard_code_counter")),
    )
    op.create_table(
        "hazard",
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("cause", sa.Text(), nullable=True),
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=12, collation="C"), nullable=False),
        sa.Column(
            "county_code",
            sa.String(length=6, collation="C"),
            sa.Computed("substr(region_code, 1, 6)", persisted=True),
            nullable=False,
        ),
        sa.Column("sectors", postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=True),
        sa.Column("criteria_clause_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("expert_note", sa.Text(), nullable=True),
        sa.Column("treatment_type", sa.String(length=16), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("visit_id", sa.Uuid(), nullable=True),
        sa.Column("report_id", sa.Uuid(), nullable=True),
        sa.Column("found_by_person_id", sa.Uuid(), nullable=True),
        sa.Column("found_by_name", sa.String(length=100), nullable=True),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_by", sa.String(length=200), nullable=False),
        sa.Column("reported_by_role", sa.String(length=32), nullable=False),
        sa.Column("registered_by", sa.String(length=200), nullable=True),
        sa.Column("responsible_person", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("responsible_unit", sa.String(length=200), nullable=True),
        sa.Column("measures", sa.Text(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("funds", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("order_department_id", sa.Uuid(), nullable=True),
        sa.Column("order_document_number", sa.String(length=100), nullable=True),
        sa.Column("production_order", sa.String(length=16), nullable=False),
        sa.Column("production_order_document", sa.String(length=100), nullable=True),
        sa.Column("listing_level", sa.String(length=16), nullable=True),
        sa.Column("listing_issuing_unit", sa.String(length=200), nullable=True),
        sa.Column("listing_notice_number", sa.String(length=100), nullable=True),
        sa.Column("listing_plan_due_on", sa.Date(), nullable=True),
        sa.Column("listing_progress_interval_days", sa.SmallInteger(), nullable=True),
        sa.Column("listed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("plan_goals_tasks", sa.Text(), nullable=True),
        sa.Column("plan_methods_measures", sa.Text(), nullable=True),
        sa.Column("plan_funds_materials", sa.Text(), nullable=True),
        sa.Column("plan_organisation_people", sa.Text(), nullable=True),
        sa.Column("plan_time_requirements", sa.Text(), nullable=True),
        sa.Column("plan_safety_emergency", sa.Text(), nullable=True),
        sa.Column("plan_submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_progress_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("extension_requested_deadline", sa.Date(), nullable=True),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completion_note", sa.Text(), nullable=True),
        sa.Column("assessment", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("resumption_application", sa.Text(), nullable=True),
        sa.Column("resumption_approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resumption_document_number", sa.String(length=100), nullable=True),
        sa.Column("assigned_expert_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("acceptance", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("relapse_of_id", sa.Uuid(), nullable=True),
        sa.Column("escalation_measures", postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fine_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column(
            "search_ngrams",
            postgresql.ARRAY(sa.Text()),
            sa.Computed("anjian_ngrams(title || ' ' || coalesce(description, ''))", persisted=True),
            nullable=False,
        ),
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
        sa.Column("sync_xid", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("sync_seq", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_hazard_enterprise_id_enterprise")
        ),
        sa.ForeignKeyConstraint(
            ["found_by_person_id"], ["person.id"], name=op.f("fk_hazard_found_by_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["order_department_id"],
            ["department.id"],
            name=op.f("fk_hazard_order_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_hazard_region_code_region")
        ),
        sa.ForeignKeyConstraint(
            ["relapse_of_id"], ["hazard.id"], name=op.f("fk_hazard_relapse_of_id_hazard")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazard")),
    )
    op.create_index(
        "ix_hazard_assigned_expert_ids",
        "hazard",
        ["assigned_expert_ids"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "ix_hazard_county_status_found",
        "hazard",
        ["county_code", "status", "found_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_hazard_enterprise_found", "hazard", ["enterprise_id", "found_at"], unique=False
    )
    op.create_index("ix_hazard_found_at", "hazard", ["found_at", "id"], unique=False)
    op.create_index("ix_hazard_lat_lon", "hazard", ["lat", "lon"], unique=False)
    op.create_index(
        "ix_hazard_open_deadline",
        "hazard",
        ["deadline", "id"],
        unique=False,
        postgresql_where=sa.text("status NOT IN ('closed', 'cancelled')"),
    )
    op.create_index(
        "ix_hazard_region_found", "hazard", ["region_code", "found_at", "id"], unique=False
    )
    op.create_index(
        "ix_hazard_relapse_of_id",
        "hazard",
        ["relapse_of_id"],
        unique=False,
        postgresql_where=sa.text("relapse_of_id IS NOT NULL"),
    )
    op.create_index(
        "ix_hazard_report_id",
        "hazard",
        ["report_id"],
        unique=False,
        postgresql_where=sa.text("report_id IS NOT NULL"),
    )
    op.create_index(
        "ix_hazard_search_ngrams", "hazard", ["search_ngrams"], unique=False, postgresql_using="gin"
    )
    op.create_index("ix_hazard_sync", "hazard", ["sync_xid", "sync_seq"], unique=False)
    op.create_index(
        "ix_hazard_visit_id",
        "hazard",
        ["visit_id"],
        unique=False,
        postgresql_where=sa.text("visit_id IS NOT NULL"),
    )
    op.create_index("uq_hazard_code", "hazard", ["code"], unique=True)
    op.create_table(
        "hazard_deadline",
        sa.Column("hazard_id", sa.Uuid(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("previous_deadline", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("set_by", sa.String(length=200), nullable=False),
        sa.Column(
            "set_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hazard_id"],
            ["hazard.id"],
            name=op.f("fk_hazard_deadline_hazard_id_hazard"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazard_deadline")),
    )
    op.create_index(
        "ix_hazard_deadline_hazard_id", "hazard_deadline", ["hazard_id", "set_at"], unique=False
    )
    op.create_table(
        "hazard_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("hazard_id", sa.Uuid(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=False),
        sa.Column("actor_subject", sa.String(length=200), nullable=False),
        sa.Column("actor_role", sa.String(length=32), nullable=False),
        sa.Column("actor_person_id", sa.Uuid(), nullable=True),
        sa.Column("actor_department_id", sa.Uuid(), nullable=True),
        sa.Column("actor_enterprise_id", sa.Uuid(), nullable=True),
        sa.Column("actor_region_code", sa.String(length=12, collation="C"), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("document_numbers", postgresql.ARRAY(sa.String(length=100)), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("attachment_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("hazard_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hazard_id"], ["hazard.id"], name=op.f("fk_hazard_event_hazard_id_hazard")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazard_event")),
    )
    op.create_index("ix_hazard_event_hazard_id", "hazard_event", ["hazard_id", "seq"], unique=False)
    op.create_table(
        "attachment",
        sa.Column("hazard_id", sa.Uuid(), nullable=False),
        sa.Column("hazard_event_id", sa.Uuid(), nullable=True),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("uploaded_by_role", sa.String(length=32), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hazard_event_id"],
            ["hazard_event.id"],
            name=op.f("fk_attachment_hazard_event_id_hazard_event"),
        ),
        sa.ForeignKeyConstraint(
            ["hazard_id"], ["hazard.id"], name=op.f("fk_attachment_hazard_id_hazard")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
    )
    op.create_index(
        "ix_attachment_hazard_event_id", "attachment", ["hazard_event_id"], unique=False
    )
    op.create_index(
        "ix_attachment_hazard_id", "attachment", ["hazard_id", "created_at"], unique=False
    )
    op.execute(
        "CREATE TRIGGER hazard_stamp_change BEFORE INSERT OR UPDATE ON hazard "
        "FOR EACH ROW EXECUTE FUNCTION anjian_stamp_change()"
    )
    op.execute(EVENT_APPEND_ONLY)
    op.execute(
        "CREATE TRIGGER hazard_event_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
        "ON hazard_event FOR EACH STATEMENT EXECUTE FUNCTION anjian_hazard_event_append_only()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER hazard_event_append_only ON hazard_event")
    op.execute("DROP FUNCTION anjian_hazard_event_append_only()")
    op.execute("DROP TRIGGER hazard_stamp_change ON hazard")
    op.drop_index("ix_attachment_hazard_id", table_name="attachment")
    op.drop_index("ix_attachment_hazard_event_id", table_name="attachment")
    op.drop_table("attachment")
    op.drop_index("ix_hazard_event_hazard_id", table_name="hazard_event")
    op.drop_table("hazard_event")
    op.drop_index("ix_hazard_deadline_hazard_id", table_name="hazard_deadline")
    op.drop_table("hazard_deadline")
    op.drop_index("uq_hazard_code", table_name="hazard")
    op.drop_index(
        "ix_hazard_visit_id", table_name="hazard", postgresql_where=sa.text("visit_id IS NOT NULL")
    )
    op.drop_index("ix_hazard_sync", table_name="hazard")
    op.drop_index("ix_hazard_search_ngrams", table_name="hazard", postgresql_using="gin")
    op.drop_index(
        "ix_hazard_report_id",
        table_name="hazard",
        postgresql_where=sa.text("report_id IS NOT NULL"),
    )
    op.drop_index(
        "ix_hazard_relapse_of_id",
        table_name="hazard",
        postgresql_where=sa.text("relapse_of_id IS NOT NULL"),
    )
    op.drop_index("ix_hazard_region_found", table_name="hazard")
    op.drop_index(
        "ix_hazard_open_deadline",
        table_name="hazard",
        postgresql_where=sa.text("status NOT IN ('closed', 'cancelled')"),
    )
    op.drop_index("ix_hazard_lat_lon", table_name="hazard")
    op.drop_index("ix_hazard_found_at", table_name="hazard")
    op.drop_index("ix_hazard_enterprise_found", table_name="hazard")
    op.drop_index("ix_hazard_county_status_found", table_name="hazard")
    op.drop_index("ix_hazard_assigned_expert_ids", table_name="hazard", postgresql_using="gin")
    op.drop_table("hazard")
    op.drop_table("hazard_code_counter")
