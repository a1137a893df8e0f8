"""Statistics tables: import jobs, hazard rollups (maintained by triggers)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.models.base import REGION_CODE, Base, Timestamps, UUIDPrimaryKey, Versioned


class ImportJob(UUIDPrimaryKey, Timestamps, Base):
    """One upload of enterprises or hazards (XLSX/CSV), run inline or by the worker.

    ``principal`` is the submitter's principal as it was (role, scope, permissions): the worker
    writes every row as that caller, through the same service functions as the API.
    """

    __tablename__ = "import_job"

    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    dry_run: Mapped[bool] = mapped_column(Boolean, nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    file_format: Mapped[str] = mapped_column(String(8), nullable=False)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)  # kept until the job finishes
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    principal: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    total_rows: Mapped[int] = mapped_column(Integer, nullable=False)
    processed_rows: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_rows: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    unchanged_rows: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    error_rows: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    ignored_columns: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list)
    failure: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_import_job_created_by", "created_by", "id"),
        Index(
            "ix_import_job_queue",
            "created_at",
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
    )


class ImportJobError(Base):
    """The errors of one rejected row (row number as in the file: header = row 1)."""

    __tablename__ = "import_job_error"

    job_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("import_job.id", ondelete="CASCADE"), primary_key=True
    )
    row_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False)
    values: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)


# --- hazard rollups ---------------------------------------------------------------------------
# Exact at every moment without a writer ever locking a shared row (migration 0013). The
# ``hazard_rollup`` trigger on ``hazard`` appends each change's contribution (old row -1, new
# row +1) to the insert-only ``hazard_rollup_delta``; the worker folds the deltas into the
# ``*_folded`` tables (``anjian_hazard_rollup_fold()``, one folder at a time); readers use views
# with the cuboids' names that add the pending deltas to the folded rows. Three cuboids, each
# keyed by the hazard's town (region_code), sector and month found (China time), plus level,
# source or ordering department (the nil UUID when none; level '' until registered). Each has a
# per-day histogram of days from found to closed (exact medians). Soft-deleted hazards are not
# counted. Rows whose counts fall to zero stay (harmless).

STATUS_COLUMNS = (
    "reported",
    "registered",
    "planning",
    "rectifying",
    "extension_requested",
    "pending_verification",
    "escalated",
    "closed",
    "cancelled",
)
OPEN_STATUSES = STATUS_COLUMNS[:7]


class HazardOverdueClock(Base):
    """The date the ``overdue`` counters are exact for (one row). The worker moves it each day
    with ``SELECT anjian_hazard_roll_overdue(<today>)``; readers add the hazards whose deadline
    lies between this date and today, counted directly (normally none)."""

    __tablename__ = "hazard_overdue_clock"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, nullable=False)

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)


class _Measures:
    """Per key: hazards in each status, closed on time, major open / cleared, overdue."""

    n_reported: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    n_registered: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    n_planning: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    n_rectifying: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    n_extension_requested: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    n_pending_verification: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    n_escalated: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    n_closed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    n_cancelled: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    closed_with_deadline: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    closed_on_time: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    major_open: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    major_closed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    overdue: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class _RegionKey:
    region_code: Mapped[str] = mapped_column(REGION_CODE, primary_key=True)
    sector: Mapped[str] = mapped_column(String(32), primary_key=True)
    level: Mapped[str] = mapped_column(String(16), primary_key=True)
    found_month: Mapped[date] = mapped_column(Date, primary_key=True)


class _SourceKey:
    region_code: Mapped[str] = mapped_column(REGION_CODE, primary_key=True)
    sector: Mapped[str] = mapped_column(String(32), primary_key=True)
    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    found_month: Mapped[date] = mapped_column(Date, primary_key=True)


class _DepartmentKey:
    region_code: Mapped[str] = mapped_column(REGION_CODE, primary_key=True)
    department_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    sector: Mapped[str] = mapped_column(String(32), primary_key=True)
    found_month: Mapped[date] = mapped_column(Date, primary_key=True)


class _Histogram:
    days: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class _YearKey:
    region_code: Mapped[str] = mapped_column(REGION_CODE, primary_key=True)
    sector: Mapped[str] = mapped_column(String(32), primary_key=True)
    level: Mapped[str] = mapped_column(String(16), primary_key=True)
    found_year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)


# The folded tables: written only by ``anjian_hazard_rollup_fold()`` and the rebuild.


class HazardRollupRegionFolded(_RegionKey, _Measures, Base):
    __tablename__ = "hazard_rollup_region_folded"


class HazardRollupSourceFolded(_SourceKey, _Measures, Base):
    __tablename__ = "hazard_rollup_source_folded"


class HazardRollupDepartmentFolded(_DepartmentKey, _Measures, Base):
    __tablename__ = "hazard_rollup_department_folded"


class HazardCloseDaysRegionFolded(_RegionKey, _Histogram, Base):
    __tablename__ = "hazard_close_days_region_folded"


class HazardCloseDaysRegionYearFolded(_YearKey, _Histogram, Base):
    __tablename__ = "hazard_close_days_region_year_folded"


class HazardCloseDaysSourceFolded(_SourceKey, _Histogram, Base):
    __tablename__ = "hazard_close_days_source_folded"


class HazardCloseDaysDepartmentFolded(_DepartmentKey, _Histogram, Base):
    __tablename__ = "hazard_close_days_department_folded"


# One row per contribution (sign in the measures, ``closes`` for the histograms with ``days``),
# appended by the trigger and the overdue roll; no key, no index: inserting never waits.
hazard_rollup_delta = Table(
    "hazard_rollup_delta",
    Base.metadata,
    Column("region_code", REGION_CODE, nullable=False),
    Column("sector", String(32), nullable=False),
    Column("level", String(16), nullable=False),
    Column("source", String(32), nullable=False),
    Column("department_id", Uuid, nullable=False),
    Column("found_month", Date, nullable=False),
    Column("days", Integer),
    Column("closes", Integer, nullable=False),
    *(Column(f"n_{s}", Integer, nullable=False) for s in STATUS_COLUMNS),
    *(
        Column(m, Integer, nullable=False)
        for m in ("closed_with_deadline", "closed_on_time", "major_open", "major_closed")
    ),
    Column("overdue", Integer, nullable=False),
)


class RollupView(DeclarativeBase):
    """The views readers query: folded rows plus pending deltas, grouped by key (not in
    ``Base.metadata``: the migrations own them, autogenerate must not see them as tables)."""

    metadata = MetaData()


class HazardRollupRegion(_RegionKey, _Measures, RollupView):
    """Cuboid for grouping by region, sector, level, status and month."""

    __tablename__ = "hazard_rollup_region"


class HazardRollupSource(_SourceKey, _Measures, RollupView):
    """Cuboid for grouping by source (自查, 执法检查, 举报…)."""

    __tablename__ = "hazard_rollup_source"


class HazardRollupDepartment(_DepartmentKey, _Measures, RollupView):
    """Cuboid for grouping by the ordering department."""

    __tablename__ = "hazard_rollup_department"


class HazardCloseDaysRegion(_RegionKey, _Histogram, RollupView):
    __tablename__ = "hazard_close_days_region"


class HazardCloseDaysRegionYear(_YearKey, _Histogram, RollupView):
    """Days to close per year found: medians over whole years read a twelfth of the rows."""

    __tablename__ = "hazard_close_days_region_year"


class HazardCloseDaysSource(_SourceKey, _Histogram, RollupView):
    __tablename__ = "hazard_close_days_source"


class HazardCloseDaysDepartment(_DepartmentKey, _Histogram, RollupView):
    __tablename__ = "hazard_close_days_department"


class Assessment(UUIDPrimaryKey, Timestamps, Versioned, Base):
    """An annual assessment (年度考核) of the towns or departments of a county.

    ``indicators`` are the year's definitions (data, not code); ``inputs`` the values entered by
    hand per unit (training, drills, required visits, veto); ``snapshot`` the ranking frozen at
    finalisation, which later changes to the data never alter.
    """

    __tablename__ = "assessment"

    year: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    unit_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    region_code: Mapped[str] = mapped_column(REGION_CODE, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    indicators: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    finalized_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finalized_by: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)

    __table_args__ = (
        Index(
            "uq_assessment_year_unit_kind_region_code",
            "year",
            "unit_kind",
            "region_code",
            unique=True,
        ),
    )


class EnterpriseStatisticsReport(UUIDPrimaryKey, Timestamps, Versioned, Base):
    """An enterprise's quarterly or annual hazard statistics report (隐患排查治理统计分析表),
    generated from its data and signed off by its main responsible person."""

    __tablename__ = "enterprise_statistics_report"

    enterprise_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("enterprise.id"), nullable=False)
    region_code: Mapped[str] = mapped_column(REGION_CODE, nullable=False)
    period: Mapped[str] = mapped_column(String(8), nullable=False)  # 2026-Q3 or 2026
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)  # exclusive
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    figures: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    generated_by: Mapped[str] = mapped_column(String(200), nullable=False)
    signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    signed_by: Mapped[str | None] = mapped_column(String(200))
    signer_name: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (
        Index(
            "uq_enterprise_statistics_report_enterprise_id_period",
            "enterprise_id",
            "period",
            unique=True,
        ),
    )
