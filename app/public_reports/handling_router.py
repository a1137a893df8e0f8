"""Handling actions on a public report (state changes only through these)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from app.auth.dependencies import PrincipalDep, SessionDep, SettingsDep
from app.core.http import IfMatchDep, with_etag
from app.core.problems import problems
from app.public_reports import handling, rewards, verification
from app.public_reports.schemas import (
    PublicReportRead,
    ReportAccept,
    ReportExtend,
    ReportReject,
    ReportReply,
    ReportTransfer,
    ReportVerify,
    RewardDecide,
    RewardPay,
)

router = APIRouter()
ERRORS = problems(403, 404, 409, 412)


@router.post("/{report_id}/accept", response_model=PublicReportRead, responses=ERRORS)
async def accept_public_report(
    report_id: uuid.UUID,
    data: ReportAccept,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> PublicReportRead:
    """Accept (受理): the close deadline runs from today (default 60 days)."""
    report = await handling.accept_report(session, settings, principal, report_id, data, if_match)
    with_etag(response, report.version)
    return report


@router.post("/{report_id}/transfer", response_model=PublicReportRead, responses=ERRORS)
async def transfer_public_report(
    report_id: uuid.UUID,
    data: ReportTransfer,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> PublicReportRead:
    """Transfer (转办) to another unit of the county, with the reason; the history keeps both
    units and the deadline keeps running. Reports about deaths stay with the county
    government."""
    report = await handling.transfer_report(session, principal, report_id, data, if_match)
    with_etag(response, report.version)
    return report


@router.post("/{report_id}/reject", response_model=PublicReportRead, responses=ERRORS)
async def reject_public_report(
    report_id: uuid.UUID,
    data: ReportReject,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> PublicReportRead:
    """Reject as out of remit (不予受理), with the reply the reporter sees."""
    report = await handling.reject_report(session, principal, report_id, data, if_match)
    with_etag(response, report.version)
    return report


@router.post("/{report_id}/extend", response_model=PublicReportRead, responses=ERRORS)
async def extend_public_report(
    report_id: uuid.UUID,
    data: ReportExtend,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> PublicReportRead:
    """The one extension (延期, default 30 days) of the close deadline."""
    report = await handling.extend_report(session, settings, principal, report_id, data, if_match)
    with_etag(response, report.version)
    return report


@router.post("/{report_id}/verify", response_model=PublicReportRead, responses=ERRORS)
async def verify_public_report(
    report_id: uuid.UUID,
    data: ReportVerify,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> PublicReportRead:
    """The finding (核查: true / partly true / false) by desk check or a report-verification
    visit; creates hazards (source `public_report`) or links existing ones. The reply is due
    within the configured days (default 10)."""
    report = await verification.verify_report(
        session, settings, principal, report_id, data, if_match
    )
    with_etag(response, report.version)
    return report


@router.post("/{report_id}/reply", response_model=PublicReportRead, responses=ERRORS)
async def reply_public_report(
    report_id: uuid.UUID,
    data: ReportReply,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> PublicReportRead:
    """Record the reply to the reporter (答复, visible through the receipt); closes the report."""
    report = await handling.reply_report(session, principal, report_id, data, if_match)
    with_etag(response, report.version)
    return report


@router.post("/{report_id}/reward", response_model=PublicReportRead, responses=ERRORS)
async def decide_public_report_reward(
    report_id: uuid.UUID,
    data: RewardDecide,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> PublicReportRead:
    """Decide the reward (奖励决定): the configured share of the related fine, clamped to the
    minimum and maximum; only the first valid reporter of the same matter. The reporter sees it
    through the receipt."""
    report = await rewards.decide_reward(session, settings, principal, report_id, data, if_match)
    with_etag(response, report.version)
    return report


@router.post("/{report_id}/reward/payment", response_model=PublicReportRead, responses=ERRORS)
async def pay_public_report_reward(
    report_id: uuid.UUID,
    data: RewardPay,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> PublicReportRead:
    """Record the payment to the claimant, who proves they hold the receipt with its secret."""
    report = await rewards.pay_reward(session, principal, report_id, data, if_match)
    with_etag(response, report.version)
    return report
