"""Every ORM model, imported so metadata (and Alembic) sees all tables."""

from app.models import audit, core, enterprise, identity, reference
from app.models.base import Base

__all__ = ["Base", "audit", "core", "enterprise", "identity", "reference"]
