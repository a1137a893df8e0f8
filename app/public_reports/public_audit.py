"""Audit rows for the public's own writes (intake, photo upload): actor ``public``, and no
client address or user agent (they could name the reporter)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import request_context
from app.core.plain import plain
from app.models.audit import AuditEvent
from app.public_reports.service import PUBLIC_ACTOR


def public_audit(
    session: AsyncSession,
    resource_type: str,
    resource_id: uuid.UUID,
    region_code: str | None,
    changes: dict[str, Any],
) -> None:
    session.add(
        AuditEvent(
            actor_subject=PUBLIC_ACTOR,
            actor_role=PUBLIC_ACTOR,
            action="create",
            resource_type=resource_type,
            resource_id=str(resource_id),
            region_code=region_code,
            changes=plain(changes),
            request_id=request_context.current.get().request_id,
            client_address=None,
            user_agent=None,
        )
    )
