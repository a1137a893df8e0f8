"""The finding (核查结论) of a report, by desk check or a report-verification visit; the
hazards it confirms are created (source ``public_report``) or linked."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.config import Settings
from app.core.clock import today_china
from app.core.errors import Unprocessable
from app.public_reports import repository
from app.public_reports.enums import ReportStatus, VerificationMethod
from app.public_reports.handling import locked, record, transition_error
from app.public_reports.schemas import PublicReportRead, ReportVerify
from app.public_reports.service import snapshot


async def _check_visit(
    session: AsyncSession,
    principal: Principal,
    visit_id: uuid.UUID,
    enterprise_id: uuid.UUID | None,
) -> None:
    from app.visits import repository as visits

    visit = await visits.get_row(session, principal, visit_id)
    if (
        visit is None
        or visit["type"] != "report_verification"
        or (enterprise_id is not None and visit["enterprise_id"] != enterprise_id)
    ):
        raise Unprocessable.field(
            ["body", "visit_id"],
            "Not a report-verification visit of this unit in your scope",
            "visit_not_report_verification",
            "不是本单位在您管辖范围内的举报核查检查",
            code="visit_not_report_verification",
        )


async def verify_report(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    report_id: uuid.UUID,
    data: ReportVerify,
    expected_version: int | None,
) -> PublicReportRead:
    from app.hazards import service as hazards
    from app.hazards.schemas import HazardCreate

    report = await locked(session, principal, report_id, expected_version)
    if report.status != ReportStatus.accepted.value:
        raise transition_error(report, "verify")
    before = snapshot(report)
    if data.enterprise_id is not None and data.enterprise_id != report.enterprise_id:
        if report.enterprise_id is not None:
            raise Unprocessable.field(
                ["body", "enterprise_id"],
                "The report already names its unit",
                "enterprise_fixed",
                "该举报已指明被举报单位",
                code="public_report_enterprise_fixed",
            )
        if await repository.enterprise_unit(session, data.enterprise_id) is None:
            raise Unprocessable.field(
                ["body", "enterprise_id"],
                "Unknown enterprise",
                "enterprise_not_found",
                "生产经营单位不存在",
                code="enterprise_not_found",
            )
        report.enterprise_id = data.enterprise_id
    if data.method is VerificationMethod.verification_visit:
        assert data.visit_id is not None
        await _check_visit(session, principal, data.visit_id, report.enterprise_id)
    if data.create_hazards and report.enterprise_id is None:
        raise Unprocessable.field(
            ["body", "enterprise_id"],
            "Name the unit to create hazards",
            "hazard_needs_enterprise",
            "创建隐患须指明生产经营单位",
            code="hazard_needs_enterprise",
        )
    hazard_ids: list[uuid.UUID] = list(report.hazard_ids)
    for hazard_id in data.link_hazard_ids:
        await hazards.get_hazard(session, principal, hazard_id)  # 404 when out of scope
        if hazard_id not in hazard_ids:
            hazard_ids.append(hazard_id)
    for found in data.create_hazards:
        assert report.enterprise_id is not None
        created = await hazards.create_hazard(
            session,
            principal,
            HazardCreate.model_validate(
                {
                    "enterprise_id": report.enterprise_id,
                    "title": found.title,
                    "description": found.description,
                    "sector": found.sector,
                    "category": found.category,
                    "level": found.level,
                    "source": "public_report",
                    "report_id": report.id,
                    "visit_id": data.visit_id,
                }
            ),
        )
        hazard_ids.append(created.id)
    today = today_china()
    report.status = ReportStatus.verified.value
    report.finding, report.finding_method = data.finding.value, data.method.value
    report.finding_note, report.visit_id = data.note, data.visit_id
    report.hazard_ids, report.verified_on = hazard_ids, today
    report.reply_due_on = today + timedelta(days=settings.public_report_reply_days)
    return await record(session, principal, report, before, "verify", "verified")
