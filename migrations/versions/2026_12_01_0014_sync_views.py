"""sync: removals that a follower must learn (rows leaving a scope, hard deletes); delta-sync
stamps on API keys, webhook subscriptions and workday overrides

``sync_removal`` keeps, per change, the scope a row had before it moved out of it (its region,
sectors, enterprise) or before it was deleted for good, stamped like the rows (transaction id,
global sequence): a follower whose scope held the old values gets a tombstone
(``out_of_scope`` or ``deleted``). Written by triggers, so no write path can forget it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A row moved out of (part of) its scope: remember where it was.
# TG_ARGV: resource name, column holding the enterprise id, column holding the owning unit
# ('' when none).
DEPARTURE_FUNCTION = """
CREATE FUNCTION anjian_sync_departure() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_row jsonb := to_jsonb(OLD);
BEGIN
  INSERT INTO sync_removal (seq, xid, resource, row_key, reason, region_code, sectors,
                            enterprise_id, owner_id)
  VALUES (nextval('anjian_change_seq'), pg_current_xact_id()::text::bigint, TG_ARGV[0],
          OLD.id::text, 'out_of_scope', old_row->>'region_code',
          CASE WHEN old_row ? 'sectors' AND jsonb_typeof(old_row->'sectors') = 'array'
               THEN ARRAY(SELECT jsonb_array_elements_text(old_row->'sectors')) END,
          CASE WHEN TG_ARGV[1] <> '' THEN (old_row->>TG_ARGV[1])::uuid END,
          CASE WHEN TG_ARGV[2] <> '' THEN (old_row->>TG_ARGV[2])::uuid END);
  RETURN NULL;
END
$$
"""

# A row deleted for good: a tombstone. TG_ARGV: resource, key column, owner column ('' none).
DELETED_FUNCTION = """
CREATE FUNCTION anjian_sync_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_row jsonb := to_jsonb(OLD);
BEGIN
  INSERT INTO sync_removal (seq, xid, resource, row_key, reason, region_code, sectors,
                            enterprise_id, owner_id)
  VALUES (nextval('anjian_change_seq'), pg_current_xact_id()::text::bigint, TG_ARGV[0],
          old_row->>TG_ARGV[1], 'deleted', old_row->>'region_code', NULL, NULL,
          CASE WHEN TG_ARGV[2] <> '' THEN (old_row->>TG_ARGV[2])::uuid END);
  RETURN NULL;
END
$$
"""

# (table, resource, enterprise id column, owning unit column, scope columns)
DEPARTURES = (
    ("enterprise", "enterprise", "id", "", ("region_code", "sectors")),
    ("hazard", "hazard", "enterprise_id", "", ("region_code", "sectors", "enterprise_id")),
    ("department", "department", "", "", ("region_code",)),
    (
        "public_report",
        "public_report",
        "",
        "assigned_department_id",
        ("region_code", "assigned_department_id"),
    ),
)
# (table, resource, key column, owner column)
HARD_DELETES = (
    ("webhook_subscription", "webhook_subscription", "id", "owner_api_key_id"),
    ("workday_override", "workday_override", "on", ""),
)
NEWLY_SYNCED = ("api_key", "webhook_subscription", "workday_override")
# last_used_at is bookkeeping, not a change a follower should download again.
API_KEY_COLUMNS = "name, role, region_code, sectors, read_only, revoked_at"


def upgrade() -> None:
    op.create_table(
        "sync_removal",
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("xid", sa.BigInteger(), nullable=False),
        sa.Column("resource", sa.String(length=40), nullable=False),
        sa.Column("row_key", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("region_code", sa.String(length=12, collation="C"), nullable=True),
        sa.Column("sectors", postgresql.ARRAY(sa.String(length=32)), nullable=True),
        sa.Column("enterprise_id", sa.Uuid(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column(
            "removed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_sync_removal")),
    )
    op.create_index("ix_sync_removal_resource_xid_seq", "sync_removal", ["resource", "xid", "seq"])
    op.execute(DEPARTURE_FUNCTION)
    op.execute(DELETED_FUNCTION)
    for table, resource, enterprise_column, owner_column, columns in DEPARTURES:
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
        op.execute(
            f"CREATE TRIGGER {table}_sync_departure AFTER UPDATE OF {', '.join(columns)} "
            f"ON {table} FOR EACH ROW WHEN ({changed}) "
            "EXECUTE FUNCTION anjian_sync_departure("
            f"'{resource}', '{enterprise_column}', '{owner_column}')"
        )
    for table, resource, key, owner in HARD_DELETES:
        op.execute(
            f"CREATE TRIGGER {table}_sync_deleted AFTER DELETE ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION anjian_sync_deleted('{resource}', '{key}', '{owner}')"
        )
    for table in NEWLY_SYNCED:
        op.add_column(
            table, sa.Column("sync_xid", sa.BigInteger(), server_default=sa.text("0"), nullable=False)
        )
        op.add_column(
            table, sa.Column("sync_seq", sa.BigInteger(), server_default=sa.text("0"), nullable=False)
        )
        op.create_index(f"ix_{table}_sync", table, ["sync_xid", "sync_seq"])
        columns = f" OF {API_KEY_COLUMNS}" if table == "api_key" else ""
        op.execute(
            f"CREATE TRIGGER {table}_stamp_change BEFORE INSERT OR UPDATE{columns} ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION anjian_stamp_change()"
        )


def downgrade() -> None:
    for table in NEWLY_SYNCED:
        op.execute(f"DROP TRIGGER {table}_stamp_change ON {table}")
        op.drop_index(f"ix_{table}_sync", table_name=table)
        op.drop_column(table, "sync_seq")
        op.drop_column(table, "sync_xid")
    for table, *_ in HARD_DELETES:
        op.execute(f"DROP TRIGGER {table}_sync_deleted ON {table}")
    for table, *_ in DEPARTURES:
        op.execute(f"DROP TRIGGER {table}_sync_departure ON {table}")
    op.execute("DROP FUNCTION anjian_sync_deleted()")
    op.execute("DROP FUNCTION anjian_sync_departure()")
    op.drop_index("ix_sync_removal_resource_xid_seq", table_name="sync_removal")
    op.drop_table("sync_removal")
