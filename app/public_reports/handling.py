"""Handling a report: accept, transfer (history kept), reject as out of remit, extend the
deadline once, verify (desk check or report-verification visit; creates or links hazards),
reply to the reporter. Every action: permission, handler check, legal transition, audit row,
history row and outbox event — none of them with the reporter's identity."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import diff, record_audit
from app.auth.principal import Principal, Role
from app.auth.scope import require
from app.config import Settings
from app.core.clock import today_china, utcnow
from app.core.concurrency import check_version
from app.core.enums import zh_label, zh_labels
from app.core.errors import Conflict, Forbidden, Unprocessable
from app.models.public_report import PublicReport
from app.public_reports import repository
from app.public_reports.enums import ReportCategory, ReportStatus
from app.public_reports.schemas import (
    PublicReportRead,
    ReportAccept,
    ReportExtend,
    ReportReject,
    ReportReply,
    ReportTransfer,
)
from app.public_reports.service import (
    RESOURCE,
    emit,
    history,
    not_found,
    snapshot,
    to_read,
)
from app.reference.enums import DepartmentKind

_OPEN_FOR_TRANSFER = {ReportStatus.received.value, ReportStatus.accepted.value}
R = ReportStatus
# action → (its Chinese name, the statuses it is taken from), for the 409 text
_ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "accept": ("受理", (R.received,)),
    "transfer": ("移交", (R.received, R.accepted)),
    "reject": ("不予受理", (R.received, R.accepted)),
    "extend": ("延期", (R.accepted, R.verified)),
    "reply": ("答复", (R.verified,)),
    "verify": ("核查", (R.accepted,)),
}


def ensure_handler(principal: Principal, report: PublicReport) -> None:
    """The assigned unit handles a report; the safety committee office coordinates every
    report of its region (it may act on any of them)."""
    if principal.role is Role.admin:
        return
    if (
        principal.department_id is not None
        and principal.department_id == report.assigned_department_id
    ):
        return
    if (
        principal.role is Role.committee_office
        and principal.region_code
        and report.region_code.startswith(principal.region_code)
    ):
        return
    raise Forbidden(
        "Only the unit handling this report may act on it",
        "仅承办单位可办理该举报",
        code="public_report_not_handler",
    )


def transition_error(report: PublicReport, action: str) -> Conflict:
    action_zh, allowed = _ACTIONS[action]
    return Conflict(
        f"A report that is {report.status} cannot {action} (allowed from: {', '.join(allowed)})",
        f"举报当前状态为{zh_label('public_report_status', report.status)}，不能执行"
        f"「{action_zh}」（{action}）；允许的状态：{zh_labels('public_report_status', allowed)}",
        code=f"public_report_cannot_{action}",
    )


async def locked(
    session: AsyncSession,
    principal: Principal,
    report_id: uuid.UUID,
    expected_version: int | None,
    permission: str = "public_report:handle",
) -> PublicReport:
    require(principal, permission)
    report = await repository.get_for_update(session, principal, report_id)
    if report is None:
        raise not_found()
    check_version(expected_version, report.version)
    ensure_handler(principal, report)
    return report


async def record(
    session: AsyncSession,
    principal: Principal,
    report: PublicReport,
    before: dict[str, object],
    action: str,
    event: str,
    *,
    note: str | None = None,
    from_department_id: uuid.UUID | None = None,
    to_department_id: uuid.UUID | None = None,
) -> PublicReportRead:
    await session.flush()
    record_audit(
        session,
        principal,
        action=action,
        resource_type=RESOURCE,
        resource_id=report.id,
        changes=diff(before, snapshot(report)),
        region_code=report.region_code,
    )
    history(
        session,
        report,
        principal.role.value,
        principal.subject,
        action,
        note=note,
        from_department_id=from_department_id,
        to_department_id=to_department_id,
    )
    emit(session, f"public_report.{event}", report)
    row = await repository.get_row(session, principal, report.id)
    if row is None:  # transferred out of the caller's view: answer with the new state once
        await session.refresh(report)
        row = {column.key: getattr(report, column.key) for column in repository.COLUMNS}
    return to_read(row)


async def accept_report(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    report_id: uuid.UUID,
    data: ReportAccept,
    expected_version: int | None,
) -> PublicReportRead:
    report = await locked(session, principal, report_id, expected_version)
    if report.status != ReportStatus.received.value:
        raise transition_error(report, "accept")
    if report.assigned_department_id is None:
        raise Conflict(
            "Transfer the report to a unit before accepting it",
            "请先将举报转交承办单位",
            code="public_report_unassigned",
        )
    before = snapshot(report)
    today = today_china()
    report.status, report.accepted_on = ReportStatus.accepted.value, today
    extra = settings.public_report_extension_days if report.extended else 0
    report.due_on = max(
        report.due_on, today + timedelta(days=settings.public_report_close_days + extra)
    )
    return await record(session, principal, report, before, "accept", "accepted", note=data.note)


async def transfer_report(
    session: AsyncSession,
    principal: Principal,
    report_id: uuid.UUID,
    data: ReportTransfer,
    expected_version: int | None,
) -> PublicReportRead:
    report = await locked(session, principal, report_id, expected_version)
    if report.status not in _OPEN_FOR_TRANSFER:
        raise transition_error(report, "transfer")
    target = await repository.department(session, data.department_id)
    if target is None or target.region_code[:6] != report.region_code[:6]:
        raise Unprocessable.field(
            ["body", "department_id"],
            "No such unit in the report's county",
            "department_not_found",
            "举报所在县（区）没有该单位",
            code="transfer_target_unknown",
        )
    if target.id == report.assigned_department_id:
        raise Conflict(
            "The report is already with this unit",
            "该举报已由此单位承办",
            code="public_report_same_unit",
        )
    if (
        report.category == ReportCategory.accident_with_deaths.value
        and target.kind != DepartmentKind.county_government.value
    ):
        raise Conflict(
            "Reports about deaths stay with the county government",
            "涉及人员死亡的举报由县（区）人民政府办理",
            code="deaths_stay_with_county_government",
        )
    before = snapshot(report)
    previous = report.assigned_department_id
    report.assigned_department_id = target.id
    report.status, report.accepted_on = ReportStatus.received.value, None
    return await record(
        session,
        principal,
        report,
        before,
        "transfer",
        "transferred",
        note=data.reason,
        from_department_id=previous,
        to_department_id=target.id,
    )


async def reject_report(
    session: AsyncSession,
    principal: Principal,
    report_id: uuid.UUID,
    data: ReportReject,
    expected_version: int | None,
) -> PublicReportRead:
    report = await locked(session, principal, report_id, expected_version)
    if report.status not in _OPEN_FOR_TRANSFER:
        raise transition_error(report, "reject")
    before = snapshot(report)
    report.status = ReportStatus.rejected.value
    report.public_reply, report.replied_at = data.public_reply, utcnow()
    report.closed_on = today_china()
    return await record(session, principal, report, before, "reject", "rejected", note=data.reason)


async def extend_report(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    report_id: uuid.UUID,
    data: ReportExtend,
    expected_version: int | None,
) -> PublicReportRead:
    """One extension of the close deadline (default 30 days), for a complex case."""
    report = await locked(session, principal, report_id, expected_version)
    if report.status not in (ReportStatus.accepted.value, ReportStatus.verified.value):
        raise transition_error(report, "extend")
    if report.extended:
        raise Conflict(
            "The one extension has already been used",
            "延期只能申请一次",
            code="public_report_extension_used",
        )
    before = snapshot(report)
    report.extended = True
    report.due_on = report.due_on + timedelta(days=settings.public_report_extension_days)
    return await record(session, principal, report, before, "extend", "extended", note=data.reason)


async def reply_report(
    session: AsyncSession,
    principal: Principal,
    report_id: uuid.UUID,
    data: ReportReply,
    expected_version: int | None,
) -> PublicReportRead:
    """The reply to the reporter (shown through the receipt) closes the report."""
    report = await locked(session, principal, report_id, expected_version)
    if report.status != ReportStatus.verified.value:
        raise transition_error(report, "reply")
    before = snapshot(report)
    report.status = ReportStatus.closed.value
    report.public_reply, report.replied_at = data.public_reply, utcnow()
    report.closed_on = today_china()
    return await record(session, principal, report, before, "reply", "closed")
