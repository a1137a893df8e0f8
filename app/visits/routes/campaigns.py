"""Campaigns over HTTP."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.auth.dependencies import PrincipalDep, SessionDep, SettingsDep
from app.core.http import IfMatchDep, with_etag
from app.core.problems import problems, replayed
from app.visits.campaign_schemas import (
    CampaignCreate,
    CampaignFilter,
    CampaignPage,
    CampaignProgress,
    CampaignRead,
    CampaignUpdate,
)
from app.visits.service import campaigns as service

router = APIRouter(prefix="/campaigns", tags=["campaigns"])


@router.get("", response_model=CampaignPage, responses=problems(403, 410))
async def list_campaigns(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    query: Annotated[CampaignFilter, Query()],
) -> CampaignPage:
    """Campaigns covering or inside the caller's region."""
    items, next_cursor, removed = await service.list_campaigns(session, settings, principal, query)
    return CampaignPage(items=items, next_cursor=next_cursor, removed=removed)


@router.post(
    "",
    response_model=CampaignRead,
    status_code=status.HTTP_201_CREATED,
    responses={**problems(403, 404, 409), **replayed(CampaignRead)},
)
async def create_campaign(
    data: CampaignCreate, response: Response, session: SessionDep, principal: PrincipalDep
) -> CampaignRead:
    campaign, created = await service.create_campaign(session, principal, data)
    if not created:
        response.status_code = status.HTTP_200_OK
    with_etag(response, campaign.version, f"/api/v1/campaigns/{campaign.id}")
    return campaign


@router.get("/{campaign_id}", response_model=CampaignRead, responses=problems(403, 404))
async def get_campaign(
    campaign_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep
) -> CampaignRead:
    campaign = await service.get_campaign(session, principal, campaign_id)
    with_etag(response, campaign.version)
    return campaign


@router.patch("/{campaign_id}", response_model=CampaignRead, responses=problems(403, 404, 412))
async def update_campaign(
    campaign_id: uuid.UUID,
    data: CampaignUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> CampaignRead:
    campaign = await service.update_campaign(session, principal, campaign_id, data, if_match)
    with_etag(response, campaign.version)
    return campaign


@router.get(
    "/{campaign_id}/progress", response_model=CampaignProgress, responses=problems(403, 404)
)
async def get_campaign_progress(
    campaign_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> CampaignProgress:
    """Units in scope, visited, visits, hazards found / rectified / overdue."""
    return await service.campaign_progress(session, principal, campaign_id)
