"""Attachment schemas."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.attachments.enums import AttachmentPurpose


class AttachmentRead(BaseModel):
    """A stored photo or document (证据材料) of a hazard (or one of its timeline events) or of an
    inspection visit (checklist photos, signature images): exactly one of `hazard_id` and
    `visit_id` is set."""

    id: uuid.UUID
    hazard_id: uuid.UUID | None
    hazard_event_id: uuid.UUID | None
    visit_id: uuid.UUID | None
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

    hazard_id: uuid.UUID | None = None
    hazard_event_id: uuid.UUID | None = None
    visit_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _one_owner(self) -> AttachmentFilter:
        if (self.hazard_id is None) == (self.visit_id is None):
            raise ValueError("give hazard_id or visit_id")
        if self.visit_id is not None and self.hazard_event_id is not None:
            raise ValueError("hazard_event_id goes with hazard_id")
        return self
