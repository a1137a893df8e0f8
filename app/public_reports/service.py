"""Public report reads for handlers, the audited identity read, and the helpers every write
shares (snapshot for audit diffs, events, history rows).

Confidentiality rules kept here: read models never select the identity; audit rows record only
that it was given or read; events never carry it (nor the content).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import record_audit
from app.auth.principal import Principal
from app.auth.scope import require
from app.config import Settings
from app.core.clock import today_china
from app.core.errors import AppError, Forbidden, NotFound, Unprocessable
from app.core.ids import new_id
from app.core.listing import ListSpec, SyncView, run_list
from app.events.outbox import emit_event
from app.models.public_report import PublicReport, PublicReportEvent
from app.public_reports import repository
from app.public_reports.crypto import KeyConfigurationError, cipher_for
from app.public_reports.enums import ReportStatus
from app.public_reports.schemas import (
    PublicReportFilter,
    PublicReportPage,
    PublicReportRead,
    ReporterRead,
    ReportEventRead,
)

RESOURCE = "public_report"
PUBLIC_ACTOR = "public"
LIST_SPEC = ListSpec(
    RESOURCE,
    repository.SORTABLE,
    "-received_on",
    PublicReport.id,
    PublicReport.sync_xid,
    PublicReport.sync_seq,
    deleted_in_items=False,
)
# Audited fields: everything a handler may see. The identity appears only as a marker.
SNAPSHOT_FIELDS = (
    "receipt_code",
    "channel",
    "category",
    "enterprise_id",
    "subject_name",
    "subject_address",
    "region_code",
    "sectors",
    "lat",
    "lon",
    "content",
    "photo_ids",
    "anonymous",
    "status",
    "assigned_department_id",
    "duplicate_of_id",
    "accepted_on",
    "due_on",
    "extended",
    "finding",
    "finding_method",
    "finding_note",
    "verified_on",
    "visit_id",
    "hazard_ids",
    "reply_due_on",
    "public_reply",
    "closed_on",
    "reward_status",
    "fine_amount",
    "reward_amount",
    "reward_decided_on",
    "reward_document_number",
    "reward_paid_on",
    "reward_payment_reference",
)


def not_found() -> NotFound:
    return NotFound("Public report not found", "举报不存在", code="public_report_not_found")


def receipt_not_found() -> NotFound:
    """The one answer for an unknown code and a wrong secret alike."""
    return NotFound(
        "No report matches this receipt code and secret",
        "回执编号或查询密码不正确",
        code="receipt_not_found",
    )


def snapshot(report: PublicReport) -> dict[str, Any]:
    return {f: getattr(report, f) for f in SNAPSHOT_FIELDS}


def event_data(report: PublicReport, **extra: Any) -> dict[str, Any]:
    """What an event may say about a report: state, never the reporter or the content."""
    return {
        "version": report.version,
        "status": report.status,
        "category": report.category,
        "channel": report.channel,
        "assigned_department_id": report.assigned_department_id,
        "duplicate_of_id": report.duplicate_of_id,
        "due_on": report.due_on,
        **extra,
    }


def emit(session: AsyncSession, event_type: str, report: PublicReport, **extra: Any) -> None:
    emit_event(
        session,
        event_type,
        resource_type=RESOURCE,
        resource_id=report.id,
        data=event_data(report, **extra),
        region_code=report.region_code,
        sectors=list(report.sectors),
        enterprise_id=report.enterprise_id,
    )


def history(
    session: AsyncSession,
    report: PublicReport,
    actor_role: str,
    actor_subject: str,
    action: str,
    *,
    note: str | None = None,
    from_department_id: uuid.UUID | None = None,
    to_department_id: uuid.UUID | None = None,
) -> None:
    session.add(
        PublicReportEvent(
            id=new_id(),
            report_id=report.id,
            action=action,
            actor_role=actor_role,
            actor_subject=actor_subject,
            from_department_id=from_department_id,
            to_department_id=to_department_id,
            status=report.status,
            note=note,
            data={},
        )
    )


def is_overdue(row: dict[str, Any]) -> bool:
    today = today_china()
    status = row["status"]
    if status in (ReportStatus.closed.value, ReportStatus.rejected.value):
        return False
    if row["due_on"] < today:
        return True
    return bool(
        status == ReportStatus.verified.value
        and row["reply_due_on"]
        and row["reply_due_on"] < today
    )


def to_read(row: dict[str, Any]) -> PublicReportRead:
    data = dict(row)
    lat, lon = data.pop("lat", None), data.pop("lon", None)
    data["location"] = {"lat": lat, "lon": lon} if lat is not None and lon is not None else None
    data["overdue"] = is_overdue(row)
    data["reward"] = {
        "status": data.pop("reward_status"),
        "fine_amount": data.pop("fine_amount"),
        "amount": data.pop("reward_amount"),
        "decided_on": data.pop("reward_decided_on"),
        "document_number": data.pop("reward_document_number"),
        "paid_on": data.pop("reward_paid_on"),
        "payment_reference": data.pop("reward_payment_reference"),
    }
    return PublicReportRead.model_validate(data)


# --- the handlers' side ----------------------------------------------------------------------


async def get_report(
    session: AsyncSession, principal: Principal, report_id: uuid.UUID
) -> PublicReportRead:
    require(principal, "public_report:read")
    row = await repository.get_row(session, principal, report_id)
    if row is None:
        raise not_found()
    return to_read(row)


async def list_reports(
    session: AsyncSession, settings: Settings, principal: Principal, query: PublicReportFilter
) -> PublicReportPage:
    require(principal, "public_report:read")
    if query.changed_since is not None and query.overdue is not None:
        # overdue turns true with the calendar, without a write: a synced copy would keep it
        raise Unprocessable.field(
            ["query", "overdue"],
            "changed_since cannot be combined with overdue (it changes with the date alone)",
            "sync_filter_unsupported",
            "changed_since 不能与 overdue 同时使用（逾期状态随日期变化）",
        )
    scoped = repository.visible(principal, include_deleted=query.changed_since is not None)
    stmt = repository.filtered(
        scoped,
        statuses=[s.value for s in query.status],
        categories=[c.value for c in query.category],
        region=query.region,
        department_id=query.department_id,
        enterprise_id=query.enterprise_id,
        overdue=query.overdue,
        today=today_china(),
    )
    listed = await run_list(
        session,
        settings,
        LIST_SPEC,
        stmt,
        filters=query.model_dump(exclude={"sort", "limit", "cursor", "changed_since"}, mode="json"),
        sort=query.sort,
        cursor=query.cursor,
        limit=query.limit,
        changed_since=query.changed_since,
        view=SyncView(principal, scoped, repository.was_visible(principal)),
    )
    items = [to_read(r) for r in listed.rows]
    return PublicReportPage(items=items, next_cursor=listed.next_cursor, removed=listed.removed)


async def report_history(
    session: AsyncSession, principal: Principal, report_id: uuid.UUID
) -> list[ReportEventRead]:
    require(principal, "public_report:read")
    if await repository.get_row(session, principal, report_id) is None:
        raise not_found()
    return [ReportEventRead.model_validate(r) for r in await repository.events(session, report_id)]


async def read_reporter(
    session: AsyncSession, settings: Settings, principal: Principal, report_id: uuid.UUID
) -> ReporterRead:
    """The identity, for a handler of this very report (its assigned unit) with the
    permission; every read leaves an audit row (``reporter_identity_read``)."""
    require(principal, "public_report:reporter_read")
    row = await repository.get_row(session, principal, report_id)
    if row is None:
        raise not_found()
    if principal.department_id is None or row["assigned_department_id"] != principal.department_id:
        raise Forbidden(
            "Only the unit handling this report may see who reported it",
            "仅承办单位可查看举报人信息",
            code="reporter_identity_handlers_only",
        )
    blob, anonymous = await repository.reporter_blob(session, report_id)
    identity: dict[str, Any] = {}
    if blob is not None:
        try:
            identity = cipher_for(settings).decrypt(report_id, blob)
        except KeyConfigurationError as exc:  # wrong key, or a ciphertext moved between reports
            raise AppError(
                "The reporter identity cannot be decrypted; tell the administrator",
                "举报人信息无法解密，请联系系统管理员",
                status=500,
                code="reporter_identity_unreadable",
            ) from exc
    shown = ReporterRead(
        anonymous=anonymous,
        name=None if anonymous else identity.get("name"),
        contact=None if anonymous else identity.get("contact"),
        callback_phone=identity.get("callback_phone"),
    )
    record_audit(
        session,
        principal,
        action="reporter_identity_read",
        resource_type=RESOURCE,
        resource_id=report_id,
        changes={
            "fields_read": sorted(k for k, v in shown.model_dump().items() if isinstance(v, str))
        },
        region_code=row["region_code"],
    )
    return shown
