"""Rewards (举报奖励): decided by the configurable rule, only for the first valid reporter of
the same matter, notified through the receipt, paid to the holder of the receipt secret."""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.config import Settings
from app.core.clock import today_china
from app.core.errors import Conflict, Unprocessable
from app.public_reports import repository
from app.public_reports.crypto import secret_matches
from app.public_reports.enums import ReportFinding, ReportStatus, RewardStatus
from app.public_reports.handling import locked, record
from app.public_reports.schemas import PublicReportRead, RewardDecide, RewardPay
from app.public_reports.service import snapshot

VALID_FINDINGS = {ReportFinding.true.value, ReportFinding.partly_true.value}


def reward_amount(settings: Settings, fine: Decimal) -> Decimal:
    """``percent`` of the related fine, clamped to [min, max], rounded to the fen."""
    raw = fine * Decimal(str(settings.public_report_reward_percent)) / Decimal(100)
    amount = min(
        max(raw, Decimal(settings.public_report_reward_min)),
        Decimal(settings.public_report_reward_max),
    )
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


async def decide_reward(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    report_id: uuid.UUID,
    data: RewardDecide,
    expected_version: int | None,
) -> PublicReportRead:
    report = await locked(
        session, principal, report_id, expected_version, permission="public_report:reward"
    )
    if (
        report.status not in (ReportStatus.verified.value, ReportStatus.closed.value)
        or report.finding not in VALID_FINDINGS
    ):
        raise Conflict(
            "Only a report found true or partly true earns a reward",
            "仅经核查属实或部分属实的举报可予奖励",
            code="reward_needs_true_finding",
        )
    if report.reward_status != RewardStatus.none.value:
        raise Conflict(
            "The reward of this report is already decided",
            "该举报已作出奖励决定",
            code="reward_already_decided",
        )
    matter = await repository.matter_reports(session, report.duplicate_of_id or report.id)
    for other in matter:
        if other["id"] == report.id:
            break
        if (
            other["status"] != ReportStatus.rejected.value
            and other["finding"] != ReportFinding.false.value
        ):
            raise Conflict(
                "An earlier report of the same matter comes first (rewarded, or "
                "still being verified)",
                "同一事项已有更早的有效举报",
                code="reward_not_first_reporter",
            )
    if any(o["reward_status"] != RewardStatus.none.value for o in matter if o["id"] != report.id):
        raise Conflict(
            "The same matter has already been rewarded",
            "同一事项已予奖励",
            code="reward_not_first_reporter",
        )
    before = snapshot(report)
    report.reward_status = RewardStatus.decided.value
    report.fine_amount = data.fine_amount
    report.reward_amount = reward_amount(settings, data.fine_amount)
    report.reward_decided_on = today_china()
    report.reward_document_number = data.document_number
    return await record(session, principal, report, before, "decide_reward", "reward_decided")


async def pay_reward(
    session: AsyncSession,
    principal: Principal,
    report_id: uuid.UUID,
    data: RewardPay,
    expected_version: int | None,
) -> PublicReportRead:
    report = await locked(
        session, principal, report_id, expected_version, permission="public_report:reward"
    )
    if report.reward_status != RewardStatus.decided.value:
        raise Conflict(
            "No reward is waiting to be paid", "没有待发放的奖励", code="reward_not_decided"
        )
    if not secret_matches(report.receipt_secret_hash, data.receipt_secret):
        raise Unprocessable.field(
            ["body", "receipt_secret"],
            "The receipt secret does not match",
            "receipt_secret_mismatch",
            "回执查询密码不正确",
            code="receipt_secret_mismatch",
        )
    before = snapshot(report)
    report.reward_status = RewardStatus.paid.value
    report.reward_paid_on = data.paid_on or today_china()
    report.reward_payment_reference = data.payment_reference
    return await record(session, principal, report, before, "pay_reward", "reward_paid")
