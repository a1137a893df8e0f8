"""Attachment enums."""

from __future__ import annotations

from enum import StrEnum

from app.core.enums import labelled


@labelled(
    "attachment_purpose",
    {
        "before": ("Photo before rectification", "整改前照片"),
        "after": ("Photo after rectification", "整改后照片"),
        "document": ("Document", "文书材料"),
        "other": ("Other", "其他"),
    },
)
class AttachmentPurpose(StrEnum):
    before = "before"
    after = "after"
    document = "document"
    other = "other"


# Content types accepted, as sniffed from the bytes (never from the client's header).
ALLOWED_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "application/pdf"})
