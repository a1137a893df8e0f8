"""Reference data: regions, departments, the major-hazard criteria catalogue."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import REGION_CODE, Base, Syncable, Timestamps, UUIDPrimaryKey, Versioned


class Region(Base):
    """Administrative division: province (2), prefecture (4), county (6), township/street (9)."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(REGION_CODE, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    level: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    parent_code: Mapped[str | None] = mapped_column(REGION_CODE, index=True)
    source_year: Mapped[int] = mapped_column(SmallInteger, nullable=False)


class Department(UUIDPrimaryKey, Timestamps, Versioned, Syncable, Base):
    """A government unit: county government, safety committee office, department, town."""

    __tablename__ = "department"

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    region_code: Mapped[str] = mapped_column(REGION_CODE, ForeignKey("region.code"), nullable=False)
    sectors: Mapped[list[str]] = mapped_column(ARRAY(String(32)), nullable=False, default=list)
    phone: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (
        Index("ix_department_region_code", "region_code"),
        Index("ix_department_sync", "sync_xid", "sync_seq"),
    )


class CriteriaStandard(UUIDPrimaryKey, Timestamps, Base):
    """A major-hazard determination standard (重大事故隐患判定标准), versioned by effective date."""

    __tablename__ = "criteria_standard"

    code: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    sector: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    issuing_body: Mapped[str] = mapped_column(String(200), nullable=False)
    document_number: Mapped[str] = mapped_column(String(100), nullable=False)
    effective_on: Mapped[date] = mapped_column(Date, nullable=False)
    superseded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("criteria_standard.id"))


class CriteriaClause(UUIDPrimaryKey, Base):
    """One clause of a standard: a hazard matching it is major."""

    __tablename__ = "criteria_clause"

    standard_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("criteria_standard.id", ondelete="CASCADE"), nullable=False
    )
    code: Mapped[str] = mapped_column(String(64), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    sector: Mapped[str] = mapped_column(String(32), nullable=False)
    sort_order: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=0)

    __table_args__ = (
        Index("uq_criteria_clause_standard_code", "standard_id", "code", unique=True),
    )
