"""Every ORM model, imported so metadata (and Alembic) sees all tables."""

from app.models import (
    attachment,
    audit,
    core,
    enterprise,
    hazard,
    identity,
    public_report,
    reference,
    responsibility,
    statistics,
    visit,
    webhook,
)
from app.models.base import Base

__all__ = [
    "Base",
    "attachment",
    "audit",
    "core",
    "enterprise",
    "hazard",
    "identity",
    "public_report",
    "reference",
    "responsibility",
    "statistics",
    "visit",
    "webhook",
]
