"""Personal data: phone numbers are masked for callers without ``personal_data:read``."""

from __future__ import annotations

from typing import Any


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    digits = phone.strip()
    if len(digits) >= 7:
        return digits[:3] + "****" + digits[-4:]
    return "*" * len(digits)


def mask_contact(contact: dict[str, Any] | None) -> dict[str, Any] | None:
    if not contact:
        return contact
    return {**contact, "phone": mask_phone(contact.get("phone"))}
