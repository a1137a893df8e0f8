"""Personal data: phone numbers are masked for callers without ``personal_data:read``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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


def contact_phones_shown(item: Any, contacts: Iterable[str]) -> list[str]:
    """The ``<contact>.phone`` fields of a record (a response model or a row mapping) that carry
    a number: what an unmasked read of it shows."""
    shown = []
    for key in contacts:
        contact = item.get(key) if isinstance(item, Mapping) else getattr(item, key, None)
        phone = (
            contact.get("phone")
            if isinstance(contact, Mapping)
            else getattr(contact, "phone", None)
        )
        if phone:
            shown.append(f"{key}.phone")
    return shown
