"""The enterprise registry (生产经营单位): every inspectable unit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Computed, Float, ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import REGION_CODE, Base, Syncable, Timestamps, UUIDPrimaryKey, Versioned


class Enterprise(UUIDPrimaryKey, Timestamps, Versioned, Syncable, Base):
    __tablename__ = "enterprise"

    uscc: Mapped[str] = mapped_column(String(18), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    region_code: Mapped[str] = mapped_column(REGION_CODE, ForeignKey("region.code"), nullable=False)
    address: Mapped[str | None] = mapped_column(String(300))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    sectors: Mapped[list[str]] = mapped_column(ARRAY(String(32)), nullable=False)
    industry_code: Mapped[str | None] = mapped_column(String(8))
    legal_representative: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    main_responsible_person: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    safety_manager: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    size: Mapped[str | None] = mapped_column(String(16))
    risk_grade: Mapped[str | None] = mapped_column(String(16))
    licences: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, default=list)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="operating")
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_document_number: Mapped[str | None] = mapped_column(String(100))
    name_ngrams: Mapped[list[str]] = mapped_column(
        ARRAY(Text), Computed("anjian_ngrams(name)", persisted=True)
    )

    __table_args__ = (
        # A credit code belongs to one live record; deleted records free it.
        Index(
            "uq_enterprise_uscc_live",
            "uscc",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index("ix_enterprise_region_code", "region_code", "id"),
        Index("ix_enterprise_sectors", "sectors", postgresql_using="gin"),
        Index("ix_enterprise_name_ngrams", "name_ngrams", postgresql_using="gin"),
        Index("ix_enterprise_sync", "sync_xid", "sync_seq"),
    )
