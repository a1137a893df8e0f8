"""Hazard rows → response models (overdue computed, contacts masked or audited)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import record_contact_reveals
from app.auth.principal import Principal
from app.core.clock import today_china
from app.core.privacy import mask_contact
from app.hazards.enums import TERMINAL
from app.hazards.schemas import HazardRead

RESOURCE = "hazard"


def _read_fields(row: Mapping[str, Any], today: date, unmasked: bool) -> dict[str, Any]:
    data = dict(row)
    lat, lon = data.pop("lat", None), data.pop("lon", None)
    data["location"] = {"lat": lat, "lon": lon} if lat is not None and lon is not None else None
    deadline = data.get("deadline")
    data["overdue"] = bool(
        deadline is not None and deadline < today and data["status"] not in TERMINAL
    )
    level = data.pop("listing_level", None)
    data["listing"] = (
        None
        if level is None
        else {
            "level": level,
            "issuing_unit": data.pop("listing_issuing_unit"),
            "notice_number": data.pop("listing_notice_number"),
            "plan_due_on": data.pop("listing_plan_due_on"),
            "progress_interval_days": data.pop("listing_progress_interval_days"),
            "listed_at": data.pop("listed_at"),
        }
    )
    if not unmasked:
        data["responsible_person"] = mask_contact(data.get("responsible_person"))
    return data


def to_read(row: Mapping[str, Any], principal: Principal) -> HazardRead:
    unmasked = principal.can("personal_data:read")
    return HazardRead.model_validate(_read_fields(row, today_china(), unmasked))


_PAGE = TypeAdapter(list[HazardRead])


def to_reads(rows: Iterable[Mapping[str, Any]], principal: Principal) -> list[HazardRead]:
    """A page of rows in one validation call (one clock read, one permission check)."""
    today, unmasked = today_china(), principal.can("personal_data:read")
    return _PAGE.validate_python([_read_fields(r, today, unmasked) for r in rows])


def audit_contacts_shown(
    session: AsyncSession, principal: Principal, items: Iterable[HazardRead]
) -> None:
    """A GET that shows the responsible person's phone unmasked leaves one audit row per hazard
    shown (written by the read session's commit)."""
    record_contact_reveals(
        session, principal, resource_type=RESOURCE, items=items, contacts=("responsible_person",)
    )
