"""Declarative base with a constraint naming convention (errors are mapped by constraint name)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, String, func, text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from app.core.ids import new_id

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

REGION_CODE = String(12, collation="C")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UUIDPrimaryKey:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class Versioned:
    """Optimistic concurrency: SQLAlchemy bumps ``version`` on every UPDATE."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, object]:  # noqa: N805
        return {"version_id_col": cls.version}


class SyncStamped:
    """Delta-sync stamps, set by the ``anjian_stamp_change`` trigger on every insert and update.

    ``sync_xid`` is the writing transaction's 64-bit id (``pg_current_xact_id()``) and
    ``sync_seq`` a global sequence; readers only return rows whose transaction is older than
    every transaction still running (``app.core.horizon``), so a row that commits late is never
    skipped by a client that already moved past it.
    """

    sync_xid: Mapped[int] = mapped_column(
        BigInteger, nullable=False, server_default=text("0"), index=False
    )
    sync_seq: Mapped[int] = mapped_column(
        BigInteger, nullable=False, server_default=text("0"), index=False
    )


class Syncable(SyncStamped):
    """Sync stamps plus a soft delete: a deleted row stays as a tombstone for followers."""

    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
