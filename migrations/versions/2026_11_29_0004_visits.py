"""visits

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SYNCED_TABLES = ("campaign", "inspection_visit", "enforcement_document")


def upgrade() -> None:
    op.create_table(
        "campaign",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("document_number", sa.String(length=100), nullable=True),
        sa.Column("issuer_department_id", sa.Uuid(), nullable=True),
        sa.Column("region_code", sa.String(length=12, collation="C"), nullable=False),
        sa.Column("sectors", postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
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
            ["issuer_department_id"],
            ["department.id"],
            name=op.f("fk_campaign_issuer_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_campaign_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign")),
    )
    op.create_index("ix_campaign_region_code", "campaign", ["region_code"], unique=False)
    op.create_index("ix_campaign_sync", "campaign", ["sync_xid", "sync_seq"], unique=False)
    op.create_table(
        "checklist_template",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("edition", sa.Integer(), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("current", sa.Boolean(), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_template")),
    )
    op.create_index("ix_checklist_template_sector", "checklist_template", ["sector"], unique=False)
    op.create_index(
        "uq_checklist_template_code_edition", "checklist_template", ["code", "edition"], unique=True
    )
    op.create_table(
        "checklist_item",
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=True),
        sa.Column("criteria_clause_code", sa.String(length=64), nullable=True),
        sa.Column("sort_order", sa.SmallInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["checklist_template.id"],
            name=op.f("fk_checklist_item_template_id_checklist_template"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_item")),
    )
    op.create_index(
        "uq_checklist_item_template_id_code", "checklist_item", ["template_id", "code"], unique=True
    )
    op.create_table(
        "inspection_visit",
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=12, collation="C"), nullable=False),
        sa.Column("sectors", postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("lead_department_id", sa.Uuid(), nullable=True),
        sa.Column("participating_department_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("leading_official", sa.String(length=100), nullable=True),
        sa.Column("campaign_id", sa.Uuid(), nullable=True),
        sa.Column("checklist_template_id", sa.Uuid(), nullable=True),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checkin_lat", sa.Float(), nullable=True),
        sa.Column("checkin_lon", sa.Float(), nullable=True),
        sa.Column("checkin_distance_m", sa.Float(), nullable=True),
        sa.Column("checkin_reason", sa.Text(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checkout_lat", sa.Float(), nullable=True),
        sa.Column("checkout_lon", sa.Float(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("conclusion", sa.Text(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
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
        sa.Column("sync_xid", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("sync_seq", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_inspection_visit_campaign_id_campaign")
        ),
        sa.ForeignKeyConstraint(
            ["checklist_template_id"],
            ["checklist_template.id"],
            name=op.f("fk_inspection_visit_checklist_template_id_checklist_template"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_inspection_visit_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["lead_department_id"],
            ["department.id"],
            name=op.f("fk_inspection_visit_lead_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_visit")),
    )
    op.create_index(
        "ix_inspection_visit_campaign_id", "inspection_visit", ["campaign_id"], unique=False
    )
    op.create_index(
        "ix_inspection_visit_enterprise_id",
        "inspection_visit",
        ["enterprise_id", "planned_on"],
        unique=False,
    )
    op.create_index(
        "ix_inspection_visit_planned_on", "inspection_visit", ["planned_on"], unique=False
    )
    op.create_index(
        "ix_inspection_visit_region_code", "inspection_visit", ["region_code", "id"], unique=False
    )
    op.create_index(
        "ix_inspection_visit_sync", "inspection_visit", ["sync_xid", "sync_seq"], unique=False
    )
    op.create_table(
        "visit_member",
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("certificate_number", sa.String(length=64), nullable=True),
        sa.Column("department_id", sa.Uuid(), nullable=True),
        sa.Column("sort_order", sa.SmallInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_visit_member_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_visit_member_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["inspection_visit.id"],
            name=op.f("fk_visit_member_visit_id_inspection_visit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_member")),
    )
    op.create_index("ix_visit_member_person_id", "visit_member", ["person_id"], unique=False)
    op.create_index("ix_visit_member_visit_id", "visit_member", ["visit_id"], unique=False)
    op.create_table(
        "visit_item_result",
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("photo_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("hazard_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
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
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["checklist_item.id"],
            name=op.f("fk_visit_item_result_item_id_checklist_item"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["inspection_visit.id"],
            name=op.f("fk_visit_item_result_visit_id_inspection_visit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_item_result")),
    )
    op.create_index(
        "uq_visit_item_result_visit_id_item_id",
        "visit_item_result",
        ["visit_id", "item_id"],
        unique=True,
    )
    op.create_table(
        "visit_hazard",
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column("hazard_id", sa.Uuid(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("new_hazard_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["inspection_visit.id"],
            name=op.f("fk_visit_hazard_visit_id_inspection_visit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("visit_id", "hazard_id", name=op.f("pk_visit_hazard")),
    )
    op.create_index("ix_visit_hazard_hazard_id", "visit_hazard", ["hazard_id"], unique=False)
    op.create_table(
        "onsite_record",
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("handling", sa.Text(), nullable=False),
        sa.Column("head_refused", sa.Boolean(), nullable=False),
        sa.Column("refusal_note", sa.Text(), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
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
            ["visit_id"],
            ["inspection_visit.id"],
            name=op.f("fk_onsite_record_visit_id_inspection_visit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("visit_id", name=op.f("pk_onsite_record")),
    )
    op.create_table(
        "onsite_signature",
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column("signer_role", sa.String(length=16), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("attachment_id", sa.Uuid(), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signed_by", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["visit_member.id"],
            name=op.f("fk_onsite_signature_member_id_visit_member"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["onsite_record.visit_id"],
            name=op.f("fk_onsite_signature_visit_id_onsite_record"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onsite_signature")),
    )
    op.create_index("ix_onsite_signature_visit_id", "onsite_signature", ["visit_id"], unique=False)
    op.create_index(
        "uq_onsite_signature_member_id",
        "onsite_signature",
        ["member_id"],
        unique=True,
        postgresql_where=sa.text("member_id IS NOT NULL"),
    )
    op.create_table(
        "enforcement_document",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=12, collation="C"), nullable=False),
        sa.Column("sectors", postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("visit_id", sa.Uuid(), nullable=True),
        sa.Column("issuer_department_id", sa.Uuid(), nullable=True),
        sa.Column("issuer_name", sa.String(length=200), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("served_on", sa.Date(), nullable=True),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("listing_level", sa.String(length=16), nullable=True),
        sa.Column("hazard_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
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
        sa.Column("sync_xid", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("sync_seq", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_enforcement_document_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["issuer_department_id"],
            ["department.id"],
            name=op.f("fk_enforcement_document_issuer_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["inspection_visit.id"],
            name=op.f("fk_enforcement_document_visit_id_inspection_visit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_document")),
    )
    op.create_index(
        "ix_enforcement_document_enterprise_id",
        "enforcement_document",
        ["enterprise_id"],
        unique=False,
    )
    op.create_index(
        "ix_enforcement_document_hazard_ids",
        "enforcement_document",
        ["hazard_ids"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "ix_enforcement_document_region_code",
        "enforcement_document",
        ["region_code", "id"],
        unique=False,
    )
    op.create_index(
        "ix_enforcement_document_sync",
        "enforcement_document",
        ["sync_xid", "sync_seq"],
        unique=False,
    )
    op.create_index(
        "uq_enforcement_document_kind_number",
        "enforcement_document",
        ["kind", "number"],
        unique=True,
    )
    for table in SYNCED_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_stamp_change BEFORE INSERT OR UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION anjian_stamp_change()"
        )


def downgrade() -> None:
    for table in SYNCED_TABLES:
        op.execute(f"DROP TRIGGER {table}_stamp_change ON {table}")
    op.drop_index("uq_enforcement_document_kind_number", table_name="enforcement_document")
    op.drop_index("ix_enforcement_document_sync", table_name="enforcement_document")
    op.drop_index("ix_enforcement_document_region_code", table_name="enforcement_document")
    op.drop_index("ix_enforcement_document_hazard_ids", table_name="enforcement_document")
    op.drop_index("ix_enforcement_document_enterprise_id", table_name="enforcement_document")
    op.drop_table("enforcement_document")
    op.drop_index("uq_onsite_signature_member_id", table_name="onsite_signature")
    op.drop_index("ix_onsite_signature_visit_id", table_name="onsite_signature")
    op.drop_table("onsite_signature")
    op.drop_table("onsite_record")
    op.drop_index("ix_visit_hazard_hazard_id", table_name="visit_hazard")
    op.drop_table("visit_hazard")
    op.drop_index("uq_visit_item_result_visit_id_item_id", table_name="visit_item_result")
    op.drop_table("visit_item_result")
    op.drop_index("ix_visit_member_visit_id", table_name="visit_member")
    op.drop_index("ix_visit_member_person_id", table_name="visit_member")
    op.drop_table("visit_member")
    op.drop_index("ix_inspection_visit_sync", table_name="inspection_visit")
    op.drop_index("ix_inspection_visit_region_code", table_name="inspection_visit")
    op.drop_index("ix_inspection_visit_planned_on", table_name="inspection_visit")
    op.drop_index("ix_inspection_visit_enterprise_id", table_name="inspection_visit")
    op.drop_index("ix_inspection_visit_campaign_id", table_name="inspection_visit")
    op.drop_table("inspection_visit")
    op.drop_index("uq_checklist_item_template_id_code", table_name="checklist_item")
    op.drop_table("checklist_item")
    op.drop_index("uq_checklist_template_code_edition", table_name="checklist_template")
    op.drop_index("ix_checklist_template_sector", table_name="checklist_template")
    op.drop_table("checklist_template")
    op.drop_index("ix_campaign_sync", table_name="campaign")
    op.drop_index("ix_campaign_region_code", table_name="campaign")
    op.drop_table("campaign")
