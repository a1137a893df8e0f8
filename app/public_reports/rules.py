"""Routing rules as data (举报分办规则): kept by the safety committee office of the region."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import diff, record_audit
from app.auth.principal import Principal, Role
from app.auth.scope import require
from app.core.concurrency import check_version
from app.core.errors import NotFound, Unprocessable, reject_nulls
from app.core.ids import new_id
from app.events.outbox import emit_event
from app.models.public_report import ReportRoutingRule
from app.public_reports import repository
from app.public_reports.schemas import (
    RoutingRuleCreate,
    RoutingRuleRead,
    RoutingRuleUpdate,
)

RESOURCE = "report_routing_rule"
_FIELDS = ("category", "sector", "region_prefix", "department_id", "priority", "active", "note")


def _not_found() -> NotFound:
    return NotFound("Routing rule not found", "分办规则不存在", code="routing_rule_not_found")


def _snapshot(rule: ReportRoutingRule) -> dict[str, Any]:
    return {f: getattr(rule, f) for f in _FIELDS}


def _emit(session: AsyncSession, event_type: str, rule: ReportRoutingRule) -> None:
    emit_event(
        session,
        event_type,
        resource_type=RESOURCE,
        resource_id=rule.id,
        data={"version": rule.version, "active": rule.active},
        region_code=rule.region_prefix,
    )


async def _check_department(
    session: AsyncSession, department_id: uuid.UUID, region_prefix: str
) -> None:
    dept = await repository.department(session, department_id)
    if dept is None or not (
        dept.region_code.startswith(region_prefix[:6]) or region_prefix.startswith(dept.region_code)
    ):
        raise Unprocessable.field(
            ["body", "department_id"],
            "No such unit for this region",
            "department_not_found",
            "该区划没有此单位",
            code="department_not_found",
        )


async def list_rules(session: AsyncSession, principal: Principal) -> list[RoutingRuleRead]:
    require(principal, "public_report:route_rules")
    return [RoutingRuleRead.model_validate(r) for r in await repository.rules(session, principal)]


async def get_rule(
    session: AsyncSession, principal: Principal, rule_id: uuid.UUID
) -> RoutingRuleRead:
    require(principal, "public_report:route_rules")
    row = await repository.rule_row(session, principal, rule_id)
    if row is None:
        raise _not_found()
    return RoutingRuleRead.model_validate(row)


async def create_rule(
    session: AsyncSession, principal: Principal, data: RoutingRuleCreate
) -> RoutingRuleRead:
    require(principal, "public_report:route_rules")
    if principal.role is not Role.admin and not (
        principal.region_code and data.region_prefix.startswith(principal.region_code)
    ):
        raise NotFound(
            "Region not found in your scope", "该区划不在您的管辖范围内", code="out_of_scope"
        )
    await _check_department(session, data.department_id, data.region_prefix)
    payload = data.model_dump(mode="python")
    payload["category"] = data.category.value if data.category else None
    payload["sector"] = data.sector.value if data.sector else None
    rule = ReportRoutingRule(id=new_id(), **payload)
    session.add(rule)
    await session.flush()
    record_audit(
        session,
        principal,
        action="create",
        resource_type=RESOURCE,
        resource_id=rule.id,
        changes=diff(None, _snapshot(rule)),
        region_code=rule.region_prefix,
    )
    _emit(session, "report_routing_rule.created", rule)
    return await get_rule(session, principal, rule.id)


async def update_rule(
    session: AsyncSession,
    principal: Principal,
    rule_id: uuid.UUID,
    data: RoutingRuleUpdate,
    expected_version: int | None,
) -> RoutingRuleRead:
    require(principal, "public_report:route_rules")
    rule = await repository.rule_for_update(session, principal, rule_id)
    if rule is None:
        raise _not_found()
    check_version(expected_version, rule.version)
    changes_in = data.model_dump(exclude_unset=True, mode="json")
    reject_nulls(changes_in, ("department_id", "priority", "active"))
    if changes_in.get("department_id"):
        await _check_department(session, uuid.UUID(changes_in["department_id"]), rule.region_prefix)
        changes_in["department_id"] = uuid.UUID(changes_in["department_id"])
    before = _snapshot(rule)
    for key, value in changes_in.items():
        setattr(rule, key, value)
    changes = diff(before, _snapshot(rule))
    if changes:
        await session.flush()
        record_audit(
            session,
            principal,
            action="update",
            resource_type=RESOURCE,
            resource_id=rule.id,
            changes=changes,
            region_code=rule.region_prefix,
        )
        _emit(session, "report_routing_rule.updated", rule)
    return await get_rule(session, principal, rule.id)
