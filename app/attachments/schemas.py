"""Attachment schemas."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.attachments.enums import AttachmentPurpose


class AttachmentRead(BaseModel):
    """A stored photo or document (证据材料) of a hazard or one of its timeline events."""

    id: uuid.UUID
    hazard_id: uuid.UUID
    hazard_event_id: uuid.UUID | None
    purpose: AttachmentPurpose
    filename: str
    content_type: str = Field(description="Sniffed from the bytes: JPEG, PNG, WebP or PDF")
    size_bytes: int
    sha256: str = Field(description="Hex SHA-256 of the content")
    uploaded_by: str
    uploaded_by_role: str
    created_at: datetime


class AttachmentList(BaseModel):
    items: list[AttachmentRead]


class AttachmentFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hazard_id: uuid.UUID
    hazard_event_id: uuid.UUID | None = None
