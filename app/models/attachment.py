"""Evidence files (photos, documents) linked to a hazard (or one of its timeline events) or to
an inspection visit (checklist photos, signature images)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UUIDPrimaryKey


class Attachment(UUIDPrimaryKey, Base):
    """Metadata of a stored file; the bytes live in the storage backend under ``storage_key``."""

    __tablename__ = "attachment"

    hazard_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("hazard.id"))
    hazard_event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("hazard_event.id"))
    visit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("inspection_visit.id"))
    purpose: Mapped[str] = mapped_column(String(16), nullable=False)  # before/after/document/other
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(64), nullable=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    storage_key: Mapped[str] = mapped_column(String(255), nullable=False)
    uploaded_by: Mapped[str] = mapped_column(String(200), nullable=False)
    uploaded_by_role: Mapped[str] = mapped_column(String(32), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )

    __table_args__ = (
        Index("ix_attachment_hazard_id", "hazard_id", "created_at"),
        Index("ix_attachment_hazard_event_id", "hazard_event_id"),
        Index(
            "ix_attachment_visit_id",
            "visit_id",
            "created_at",
            postgresql_where=text("visit_id IS NOT NULL"),
        ),
        # one owner: a hazard (its events are the hazard's) or a visit
        CheckConstraint("num_nonnulls(hazard_id, visit_id) = 1", name="one_owner"),
    )
