"""The audit trail over HTTP (read only: the table itself refuses UPDATE and DELETE)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.audit import service
from app.audit.schemas import AuditEventFilter, AuditEventPage
from app.auth.dependencies import PrincipalDep, SessionDep, SettingsDep
from app.core.problems import problems

router = APIRouter(prefix="/audit-events", tags=["audit-events"])


@router.get("", response_model=AuditEventPage, responses=problems(403))
async def list_audit_events(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[AuditEventFilter, Query()],
) -> AuditEventPage:
    """The audit trail, newest first (administrators; a safety committee office sees the rows
    of its region subtree). Filter by resource, actor, action and time range (`from` inclusive,
    `to` exclusive); page with `cursor`."""
    items, next_cursor = await service.list_audit_events(session, settings, principal, query)
    return AuditEventPage(items=items, next_cursor=next_cursor)
