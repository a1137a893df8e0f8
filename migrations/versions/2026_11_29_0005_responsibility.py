"""responsibility: assignments (with the seat-overlap constraint trigger), major hazard
sources, responsibility snapshots.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# No two assignments of one seat may have overlapping validity. Core PostgreSQL only (an
# EXCLUDE USING gist over (seat_key, validity) would need the btree_gist contrib extension):
# a constraint trigger takes a transaction-scoped advisory lock on the seat, so concurrent
# writers of the same seat queue up, then looks for an overlapping row with a fresh snapshot
# (READ COMMITTED: each statement in the function sees what committed before the lock was
# granted). The error carries SQLSTATE 23P01 and the constraint name the API maps to 409.
SEAT_CHECK_FUNCTION = """
CREATE FUNCTION anjian_responsibility_seat_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  other uuid;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('responsibility_seat|' || NEW.seat_key, 0));
  SELECT a.id INTO other FROM responsibility_assignment a
   WHERE a.seat_key = NEW.seat_key AND a.id <> NEW.id AND a.deleted_at IS NULL
     AND a.validity && NEW.validity
   LIMIT 1;
  IF other IS NOT NULL THEN
    RAISE EXCEPTION 'responsibility seat % is held by assignment % in an overlapping period',
      NEW.seat_key, other
      USING ERRCODE = 'exclusion_violation',
            CONSTRAINT = 'responsibility_assignment_seat_overlap';
  END IF;
  RETURN NULL;
END
$$
"""

SEAT_CHECK_TRIGGER = """
CREATE CONSTRAINT TRIGGER responsibility_assignment_seat_overlap
  AFTER INSERT OR UPDATE ON responsibility_assignment
  DEFERRABLE INITIALLY IMMEDIATE
  FOR EACH ROW EXECUTE FUNCTION anjian_responsibility_seat_check()
"""


def upgrade() -> None:
    op.create_table('major_hazard_source',
    sa.Column('enterprise_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('grade', sa.SmallInteger(), nullable=False),
    sa.Column('record_number', sa.String(length=100), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('grade BETWEEN 1 AND 4', name=op.f('ck_major_hazard_source_grade')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_major_hazard_source_enterprise_id_enterprise')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_major_hazard_source'))
    )
    op.create_index('ix_major_hazard_source_enterprise_id', 'major_hazard_source', ['enterprise_id'], unique=False)
    op.create_table('responsibility_assignment',
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('holder_type', sa.String(length=16), nullable=False),
    sa.Column('holder_person_id', sa.Uuid(), nullable=True),
    sa.Column('holder_department_id', sa.Uuid(), nullable=True),
    sa.Column('object_type', sa.String(length=32), nullable=False),
    sa.Column('object_region_code', sa.String(length=12, collation='C'), nullable=True),
    sa.Column('object_sector', sa.String(length=32), nullable=True),
    sa.Column('object_enterprise_id', sa.Uuid(), nullable=True),
    sa.Column('object_hazard_id', sa.Uuid(), nullable=True),
    sa.Column('object_major_hazard_source_id', sa.Uuid(), nullable=True),
    sa.Column('seat_key', sa.Text(), sa.Computed("kind || '|' || object_type || ':' || coalesce(object_region_code, '') || ':' || coalesce(object_sector, '') || ':' || coalesce(object_enterprise_id::text, '') || ':' || coalesce(object_hazard_id::text, '') || ':' || coalesce(object_major_hazard_source_id::text, '') || '|' || CASE WHEN kind IN ('departmental_supervision', 'enterprise_safety_manager') THEN coalesce(holder_person_id::text, holder_department_id::text, '') WHEN kind = 'territorial' THEN holder_type ELSE '' END", persisted=True), nullable=False),
    sa.Column('duties', sa.Text(), nullable=True),
    sa.Column('required_visit_days', sa.SmallInteger(), nullable=True),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_to', sa.DateTime(timezone=True), nullable=True),
    sa.Column('validity', postgresql.TSTZRANGE(), sa.Computed("tstzrange(valid_from, valid_to, '[)')", persisted=True), nullable=False),
    sa.Column('appointing_unit', sa.String(length=200), nullable=True),
    sa.Column('document_number', sa.String(length=100), nullable=True),
    sa.Column('public_display', sa.Boolean(), nullable=False),
    sa.Column('end_reason', sa.Text(), nullable=True),
    sa.Column('ended_by', sa.String(length=200), nullable=True),
    sa.Column('predecessor_id', sa.Uuid(), nullable=True),
    sa.Column('region_code', sa.String(length=12, collation='C'), nullable=False),
    sa.Column('sectors', postgresql.ARRAY(sa.String(length=32)), nullable=False),
    sa.Column('enterprise_id', sa.Uuid(), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('sync_xid', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('sync_seq', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(holder_type = 'person' AND holder_person_id IS NOT NULL AND holder_department_id IS NULL) OR (holder_type = 'department' AND holder_department_id IS NOT NULL AND holder_person_id IS NULL)", name=op.f('ck_responsibility_assignment_holder')),
    sa.CheckConstraint('required_visit_days IS NULL OR required_visit_days > 0', name=op.f('ck_responsibility_assignment_visit_days')),
    sa.CheckConstraint('valid_to IS NULL OR valid_to > valid_from', name=op.f('ck_responsibility_assignment_period')),
    sa.ForeignKeyConstraint(['holder_department_id'], ['department.id'], name=op.f('fk_responsibility_assignment_holder_department_id_department')),
    sa.ForeignKeyConstraint(['holder_person_id'], ['person.id'], name=op.f('fk_responsibility_assignment_holder_person_id_person')),
    sa.ForeignKeyConstraint(['object_enterprise_id'], ['enterprise.id'], name=op.f('fk_responsibility_assignment_object_enterprise_id_enterprise')),
    sa.ForeignKeyConstraint(['object_major_hazard_source_id'], ['major_hazard_source.id'], name=op.f('fk_responsibility_assignment_object_major_hazard_source_id_major_hazard_source')),
    sa.ForeignKeyConstraint(['object_region_code'], ['region.code'], name=op.f('fk_responsibility_assignment_object_region_code_region')),
    sa.ForeignKeyConstraint(['predecessor_id'], ['responsibility_assignment.id'], name=op.f('fk_responsibility_assignment_predecessor_id_responsibility_assignment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_responsibility_assignment'))
    )
    op.create_index('ix_responsibility_assignment_holder_department_id', 'responsibility_assignment', ['holder_department_id'], unique=False, postgresql_where=sa.text('holder_department_id IS NOT NULL'))
    op.create_index('ix_responsibility_assignment_holder_person_id', 'responsibility_assignment', ['holder_person_id'], unique=False, postgresql_where=sa.text('holder_person_id IS NOT NULL'))
    op.create_index('ix_responsibility_assignment_object_enterprise_id', 'responsibility_assignment', ['object_enterprise_id'], unique=False, postgresql_where=sa.text('object_enterprise_id IS NOT NULL'))
    op.create_index('ix_responsibility_assignment_object_hazard_id', 'responsibility_assignment', ['object_hazard_id'], unique=False, postgresql_where=sa.text('object_hazard_id IS NOT NULL'))
    op.create_index('ix_responsibility_assignment_object_mhs', 'responsibility_assignment', ['object_major_hazard_source_id'], unique=False, postgresql_where=sa.text('object_major_hazard_source_id IS NOT NULL'))
    op.create_index('ix_responsibility_assignment_object_region', 'responsibility_assignment', ['object_region_code', 'object_sector'], unique=False, postgresql_where=sa.text('object_region_code IS NOT NULL'))
    op.create_index('ix_responsibility_assignment_region_code', 'responsibility_assignment', ['region_code', 'id'], unique=False)
    op.create_index('ix_responsibility_assignment_seat', 'responsibility_assignment', ['seat_key', 'valid_from'], unique=False)
    op.create_index('ix_responsibility_assignment_sync', 'responsibility_assignment', ['sync_xid', 'sync_seq'], unique=False)
    op.create_index('ix_responsibility_assignment_valid_to', 'responsibility_assignment', ['valid_to'], unique=False, postgresql_where=sa.text('valid_to IS NOT NULL'))
    op.create_table('responsibility_snapshot',
    sa.Column('hazard_id', sa.Uuid(), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('chain', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=True),
    sa.Column('enterprise_id', sa.Uuid(), nullable=False),
    sa.Column('region_code', sa.String(length=12, collation='C'), nullable=False),
    sa.Column('sectors', postgresql.ARRAY(sa.String(length=32)), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_responsibility_snapshot'))
    )
    op.create_index('ix_responsibility_snapshot_hazard_id', 'responsibility_snapshot', ['hazard_id', 'taken_at'], unique=False)
    op.execute(SEAT_CHECK_FUNCTION)
    op.execute(SEAT_CHECK_TRIGGER)
    op.execute(
        "CREATE TRIGGER responsibility_assignment_stamp_change BEFORE INSERT OR UPDATE ON "
        "responsibility_assignment FOR EACH ROW EXECUTE FUNCTION anjian_stamp_change()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER responsibility_assignment_stamp_change ON responsibility_assignment")
    op.execute("DROP TRIGGER responsibility_assignment_seat_overlap ON responsibility_assignment")
    op.execute("DROP FUNCTION anjian_responsibility_seat_check()")
    op.drop_index("ix_responsibility_snapshot_hazard_id", table_name="responsibility_snapshot")
    op.drop_table("responsibility_snapshot")
    for index in ("ix_responsibility_assignment_valid_to", "ix_responsibility_assignment_sync",
                  "ix_responsibility_assignment_seat", "ix_responsibility_assignment_region_code",
                  "ix_responsibility_assignment_object_region",
                  "ix_responsibility_assignment_object_mhs",
                  "ix_responsibility_assignment_object_hazard_id",
                  "ix_responsibility_assignment_object_enterprise_id",
                  "ix_responsibility_assignment_holder_person_id",
                  "ix_responsibility_assignment_holder_department_id"):
        op.drop_index(index, table_name="responsibility_assignment")
    op.drop_table("responsibility_assignment")
    op.drop_index("ix_major_hazard_source_enterprise_id", table_name="major_hazard_source")
    op.drop_table("major_hazard_source")
