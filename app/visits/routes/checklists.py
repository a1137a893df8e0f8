"""Checklist templates over HTTP."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.auth.dependencies import PrincipalDep, SessionDep, SettingsDep
from app.core.problems import problems
from app.visits.checklist_schemas import (
    ChecklistTemplateCreate,
    ChecklistTemplateFilter,
    ChecklistTemplatePage,
    ChecklistTemplateRead,
)
from app.visits.service import checklists as service

router = APIRouter(prefix="/checklist-templates", tags=["checklist-templates"])


@router.get("", response_model=ChecklistTemplatePage, responses=problems(403))
async def list_checklist_templates(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[ChecklistTemplateFilter, Query()],
) -> ChecklistTemplatePage:
    """Checklists with their items; current editions unless `current=false`."""
    items, next_cursor = await service.list_templates(session, settings, principal, query)
    return ChecklistTemplatePage(items=items, next_cursor=next_cursor)


@router.post(
    "",
    response_model=ChecklistTemplateRead,
    status_code=status.HTTP_201_CREATED,
    responses=problems(403),
)
async def create_checklist_template(
    data: ChecklistTemplateCreate, response: Response, session: SessionDep, principal: PrincipalDep
) -> ChecklistTemplateRead:
    """A new template, or the next edition of an existing code."""
    template = await service.create_template(session, principal, data)
    response.headers["Location"] = f"/api/v1/checklist-templates/{template.id}"
    return template


@router.get("/{template_id}", response_model=ChecklistTemplateRead, responses=problems(403, 404))
async def get_checklist_template(
    template_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> ChecklistTemplateRead:
    return await service.get_template(session, principal, template_id)
