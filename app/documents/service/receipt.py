"""The public-report receipt (举报受理回执) as printed: for the reporter (with the receipt code
and secret, the same facts as the JSON receipt lookup) and for the handling unit's file. Never
the reporter's identity."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.core.pdf import PrintDocument, Section, chinese_date, text
from app.documents import repository
from app.documents.service.common import label
from app.public_reports import intake
from app.public_reports import service as reports_service
from app.public_reports.schemas import PublicReportRead, ReceiptStatus

CONFIDENTIAL = (
    "举报人的个人信息依法予以保密，仅承办单位因办理需要方可查阅，每次查阅均有记录。"
    "请妥善保管回执编号和查询密码，凭其查询办理进度、答复意见和奖励事项；查询密码遗失的无法补发。"
)
ISSUER = "安全生产举报受理"


def _follow(code: str) -> str:
    return (
        f"您反映的安全生产问题已登记受理，回执编号：{code}。可通过 "
        f"/api/v1/public-reports/receipt/{code}（附查询密码）查询办理进度。"
    )


def _reply_rows(status: ReceiptStatus | PublicReportRead) -> list[tuple[str, str]]:
    return [
        ("答复意见", status.public_reply or "（尚未答复）"),
        ("答复时间", text(status.replied_at) if status.replied_at else ""),
    ]


async def reporter_receipt(session: AsyncSession, code: str, secret: str) -> PrintDocument:
    """For whoever holds the receipt code and secret: exactly what the JSON lookup shows."""
    status = await intake.lookup_receipt(session, code, secret)
    rows = [
        ("回执编号", status.receipt_code),
        ("受理日期", chinese_date(status.received_on)),
        ("办理状态", label(status.status)),
        *_reply_rows(status),
        ("奖励", label(status.reward.status)),
    ]
    if status.reward.amount is not None:
        rows.append(("奖励金额", f"人民币 {status.reward.amount:,.2f} 元"))
    return PrintDocument(
        issuer=ISSUER,
        title="举报受理回执",
        number=f"回执编号：{status.receipt_code}",
        sections=[Section(None, [_follow(status.receipt_code)], rows)],
        seal_date=status.received_on,
        notes=[CONFIDENTIAL],
        reference=status.receipt_code,
        subject=f"举报受理回执 {status.receipt_code}",
    )


async def handler_receipt(
    session: AsyncSession, principal: Principal, report_id: uuid.UUID
) -> tuple[PrintDocument, PublicReportRead]:
    """For the handling unit's file, scoped like the report's JSON read."""
    report = await reports_service.get_report(session, principal, report_id)
    names = await repository.department_names(session, [report.assigned_department_id])
    unit = names.get(report.assigned_department_id) if report.assigned_department_id else None
    rows = [
        ("回执编号", report.receipt_code),
        ("举报渠道", label(report.channel)),
        ("举报类别", label(report.category)),
        ("被举报单位或场所", report.subject_name or ""),
        ("地址", report.subject_address or ""),
        ("受理日期", chinese_date(report.received_on)),
        ("承办单位", unit or "（待分派）"),
        ("办结时限", chinese_date(report.due_on)),
        ("办理状态", label(report.status)),
        ("举报方式", "匿名" if report.anonymous else "实名"),
        *_reply_rows(report),
    ]
    printed = PrintDocument(
        issuer=unit or ISSUER,
        title="举报受理回执",
        number=f"回执编号：{report.receipt_code}",
        sections=[
            Section(None, [_follow(report.receipt_code)], rows),
            Section("举报内容", [report.content]),
        ],
        seal_date=report.received_on,
        notes=[CONFIDENTIAL],
        reference=str(report.id),
        subject=f"举报受理回执 {report.receipt_code}",
    )
    return printed, report
