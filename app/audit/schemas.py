"""Audit trail schemas."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import Page
from app.core.timebounds import BoundedDatetime


class AuditEventRead(BaseModel):
    """One write (or unmasked personal-data read), as it happened (审计日志)."""

    seq: int = Field(description="Position in the trail (increasing)")
    occurred_at: datetime
    actor_subject: str = Field(description="Token subject, or api_key:<prefix>")
    actor_role: str
    actor_person_id: uuid.UUID | None
    actor_api_key_id: uuid.UUID | None
    action: str = Field(description="create, update, delete, an action name, personal_data_read")
    resource_type: str
    resource_id: str
    region_code: str | None
    changes: dict[str, Any] = Field(description='{field: {"old": …, "new": …}}')
    request_id: str | None
    client_address: str | None
    user_agent: str | None


class AuditEventPage(Page[AuditEventRead]):
    pass


class AuditEventFilter(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    resource_type: str | None = Field(default=None, max_length=64)
    resource_id: str | None = Field(default=None, max_length=64)
    actor: str | None = Field(default=None, max_length=200, description="Actor subject")
    actor_person_id: uuid.UUID | None = None
    actor_api_key_id: uuid.UUID | None = None
    action: list[str] = Field(default_factory=list)
    occurred_from: BoundedDatetime | None = Field(
        default=None, alias="from", description="Occurred at or after (RFC 3339, with an offset)"
    )
    occurred_to: BoundedDatetime | None = Field(
        default=None, alias="to", description="Occurred before (RFC 3339, with an offset)"
    )
    limit: int | None = Field(default=None, ge=1, le=500)
    cursor: str | None = None
