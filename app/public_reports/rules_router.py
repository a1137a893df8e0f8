"""Routing rules (举报分办规则) over HTTP."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from app.auth.dependencies import PrincipalDep, SessionDep
from app.core.http import IfMatchDep, with_etag
from app.core.problems import problems
from app.public_reports import rules
from app.public_reports.schemas import (
    RoutingRuleCreate,
    RoutingRuleList,
    RoutingRuleRead,
    RoutingRuleUpdate,
)

router = APIRouter(prefix="/report-routing-rules", tags=["report-routing-rules"])


@router.get("", response_model=RoutingRuleList, responses=problems(403))
async def list_report_routing_rules(
    session: SessionDep, principal: PrincipalDep
) -> RoutingRuleList:
    """The rules of the caller's region, by region prefix and priority."""
    return RoutingRuleList(items=await rules.list_rules(session, principal))


@router.post(
    "",
    response_model=RoutingRuleRead,
    status_code=status.HTTP_201_CREATED,
    responses=problems(403, 404),
)
async def create_report_routing_rule(
    data: RoutingRuleCreate, response: Response, session: SessionDep, principal: PrincipalDep
) -> RoutingRuleRead:
    """Route new reports of a category / sector / region prefix to a unit. Reports about
    deaths always go to the county government, whatever the rules say."""
    rule = await rules.create_rule(session, principal, data)
    with_etag(response, rule.version, f"/api/v1/report-routing-rules/{rule.id}")
    return rule


@router.get("/{rule_id}", response_model=RoutingRuleRead, responses=problems(403, 404))
async def get_report_routing_rule(
    rule_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep
) -> RoutingRuleRead:
    rule = await rules.get_rule(session, principal, rule_id)
    with_etag(response, rule.version)
    return rule


@router.patch("/{rule_id}", response_model=RoutingRuleRead, responses=problems(403, 404, 412))
async def update_report_routing_rule(
    rule_id: uuid.UUID,
    data: RoutingRuleUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> RoutingRuleRead:
    """Change a rule; `active: false` retires it (the audit trail keeps every version)."""
    rule = await rules.update_rule(session, principal, rule_id, data, if_match)
    with_etag(response, rule.version)
    return rule
