"""Public report queries. Handler reads start from what the principal may see; the public
endpoints only ever look a report up by its receipt code."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, false, or_, select, true
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal, Role
from app.auth.scope import region_subtree
from app.models.core import SyncRemoval
from app.models.enterprise import Enterprise
from app.models.public_report import (
    PublicReport,
    PublicReportEvent,
    PublicReportRateWindow,
    ReportRoutingRule,
)
from app.models.reference import Department
from app.public_reports.enums import OPEN_STATUSES, ReportStatus

R = PublicReport
Q = ReportRoutingRule
# Never select reporter_ciphertext, reporter_key_id or receipt_secret_hash for a read model.
COLUMNS: tuple[Any, ...] = (
    R.id,
    R.receipt_code,
    R.channel,
    R.category,
    R.enterprise_id,
    R.subject_name,
    R.subject_address,
    R.region_code,
    R.sectors,
    R.lat,
    R.lon,
    R.content,
    R.photo_ids,
    R.anonymous,
    R.status,
    R.assigned_department_id,
    R.duplicate_of_id,
    R.received_on,
    R.accepted_on,
    R.due_on,
    R.extended,
    R.finding,
    R.finding_method,
    R.finding_note,
    R.verified_on,
    R.visit_id,
    R.hazard_ids,
    R.reply_due_on,
    R.public_reply,
    R.replied_at,
    R.closed_on,
    R.reward_status,
    R.fine_amount,
    R.reward_amount,
    R.reward_decided_on,
    R.reward_document_number,
    R.reward_paid_on,
    R.reward_payment_reference,
    R.version,
    R.created_at,
    R.updated_at,
)
SORTABLE = {
    "received_on": R.received_on,
    "due_on": R.due_on,
    "created_at": R.created_at,
    "id": R.id,
}


_HANDLERS = (Role.committee_office, Role.town_official, Role.department_official, Role.inspector)


def scope_predicate(principal: Principal) -> ColumnElement[bool]:
    """Need to know: the assigned unit; the safety committee office (and a town) over its
    region; the administrator everything. Nobody else sees public reports."""
    role = principal.role
    if role is Role.admin:
        return true()
    assigned = (
        R.assigned_department_id == principal.department_id
        if principal.department_id is not None
        else false()
    )
    if role in (Role.committee_office, Role.town_official) and principal.region_code:
        return or_(assigned, region_subtree(R.region_code, principal.region_code))
    if role in _HANDLERS:
        return assigned
    return false()


def overdue_predicate(today: date) -> ColumnElement[bool]:
    return or_(
        and_(R.status.in_([s.value for s in OPEN_STATUSES]), R.due_on < today),
        and_(R.status == ReportStatus.verified.value, R.reply_due_on < today),
    )


def was_visible(principal: Principal) -> Callable[[type[SyncRemoval]], ColumnElement[bool]]:
    """``scope_predicate`` over the unit and region a report had before it was transferred."""

    def rule(r: type[SyncRemoval]) -> ColumnElement[bool]:
        role = principal.role
        if role is Role.admin:
            return true()
        assigned = (
            r.owner_id == principal.department_id
            if principal.department_id is not None
            else false()
        )
        if role in (Role.committee_office, Role.town_official) and principal.region_code:
            return or_(assigned, region_subtree(r.region_code, principal.region_code))
        if role in _HANDLERS:
            return assigned
        return false()

    return rule


def visible(principal: Principal, *, include_deleted: bool = False) -> Select[Any]:
    stmt: Select[Any] = select(*COLUMNS, R.sync_xid, R.sync_seq, R.deleted_at)
    stmt = stmt.where(scope_predicate(principal))
    return stmt if include_deleted else stmt.where(R.deleted_at.is_(None))


def filtered(
    stmt: Select[Any],
    *,
    statuses: list[str],
    categories: list[str],
    region: str | None,
    department_id: uuid.UUID | None,
    enterprise_id: uuid.UUID | None,
    overdue: bool | None,
    today: date,
) -> Select[Any]:
    if statuses:
        stmt = stmt.where(R.status.in_(statuses))
    if categories:
        stmt = stmt.where(R.category.in_(categories))
    if region:
        stmt = stmt.where(region_subtree(R.region_code, region))
    if department_id:
        stmt = stmt.where(R.assigned_department_id == department_id)
    if enterprise_id:
        stmt = stmt.where(R.enterprise_id == enterprise_id)
    if overdue is True:
        stmt = stmt.where(overdue_predicate(today))
    elif overdue is False:
        stmt = stmt.where(~overdue_predicate(today))
    return stmt


async def get_row(
    session: AsyncSession, principal: Principal, report_id: uuid.UUID
) -> dict[str, Any] | None:
    row = (await session.execute(visible(principal).where(R.id == report_id))).mappings().first()
    return dict(row) if row else None


async def get_for_update(
    session: AsyncSession, principal: Principal, report_id: uuid.UUID
) -> PublicReport | None:
    stmt = (
        select(R)
        .where(R.id == report_id, R.deleted_at.is_(None), scope_predicate(principal))
        .with_for_update()
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def by_receipt(session: AsyncSession, code: str) -> dict[str, Any] | None:
    stmt = select(
        R.receipt_code,
        R.receipt_secret_hash,
        R.status,
        R.received_on,
        R.public_reply,
        R.replied_at,
        R.reward_status,
        R.reward_amount,
    ).where(R.receipt_code == code, R.deleted_at.is_(None))
    row = (await session.execute(stmt)).mappings().first()
    return dict(row) if row else None


async def receipt_code_taken(session: AsyncSession, code: str) -> bool:
    return (await session.execute(select(R.id).where(R.receipt_code == code))).first() is not None


async def reporter_blob(session: AsyncSession, report_id: uuid.UUID) -> tuple[bytes | None, bool]:
    row = (
        await session.execute(select(R.reporter_ciphertext, R.anonymous).where(R.id == report_id))
    ).one()
    return row[0], bool(row[1])


async def events(session: AsyncSession, report_id: uuid.UUID) -> list[dict[str, Any]]:
    stmt = (
        select(
            PublicReportEvent.id,
            PublicReportEvent.occurred_at,
            PublicReportEvent.action,
            PublicReportEvent.actor_role,
            PublicReportEvent.from_department_id,
            PublicReportEvent.to_department_id,
            PublicReportEvent.status,
            PublicReportEvent.note,
        )
        .where(PublicReportEvent.report_id == report_id)
        .order_by(PublicReportEvent.occurred_at, PublicReportEvent.id)
    )
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


async def enterprise_unit(
    session: AsyncSession, enterprise_id: uuid.UUID
) -> tuple[str, list[str], float | None, float | None, str, str | None] | None:
    """region, sectors, lat, lon, name, address of a live enterprise."""
    row = (
        await session.execute(
            select(
                Enterprise.region_code,
                Enterprise.sectors,
                Enterprise.lat,
                Enterprise.lon,
                Enterprise.name,
                Enterprise.address,
            ).where(Enterprise.id == enterprise_id, Enterprise.deleted_at.is_(None))
        )
    ).first()
    if row is None:
        return None
    return str(row[0]), list(row[1]), row[2], row[3], str(row[4]), row[5]


async def department(session: AsyncSession, department_id: uuid.UUID) -> Department | None:
    stmt = select(Department).where(Department.id == department_id, Department.deleted_at.is_(None))
    return (await session.execute(stmt)).scalar_one_or_none()


async def unit_of_kind(session: AsyncSession, county: str, kind: str) -> uuid.UUID | None:
    stmt = (
        select(Department.id)
        .where(
            Department.region_code == county,
            Department.kind == kind,
            Department.deleted_at.is_(None),
        )
        .order_by(Department.created_at, Department.id)
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def matching_rule(
    session: AsyncSession, *, category: str, sectors: list[str], region_code: str
) -> uuid.UUID | None:
    """The routing rule that fits best: lowest priority number, then the most specific."""
    prefixes = [region_code[:n] for n in range(2, len(region_code) + 1)]
    stmt = select(
        Q.department_id, Q.category, Q.sector, Q.region_prefix, Q.priority, Q.created_at
    ).where(
        Q.active.is_(True),
        Q.region_prefix.in_(prefixes),
        or_(Q.category.is_(None), Q.category == category),
        or_(Q.sector.is_(None), Q.sector.in_(sectors or ["-"])),
    )
    rows = list((await session.execute(stmt)).mappings())
    if not rows:
        return None
    best = min(
        rows,
        key=lambda r: (
            r["priority"],
            -(
                int(r["category"] is not None) * 100
                + int(r["sector"] is not None) * 50
                + len(r["region_prefix"])
            ),
            r["created_at"],
        ),
    )
    department_id: uuid.UUID = best["department_id"]
    return department_id


async def earlier_same_matter(
    session: AsyncSession,
    *,
    enterprise_id: uuid.UUID | None,
    lat: float | None,
    lon: float | None,
    since: date,
    radius_m: float,
) -> tuple[uuid.UUID, uuid.UUID | None] | None:
    """The earliest live report on the same enterprise, or within ``radius_m`` of the place,
    received on or after ``since`` (id, its duplicate_of_id)."""
    clauses: list[ColumnElement[bool]] = []
    if enterprise_id is not None:
        clauses.append(R.enterprise_id == enterprise_id)
    box = None
    if lat is not None and lon is not None and radius_m > 0:
        dlat = radius_m / 111_320.0
        dlon = radius_m / (111_320.0 * max(math.cos(math.radians(lat)), 0.01))
        box = and_(R.lat.between(lat - dlat, lat + dlat), R.lon.between(lon - dlon, lon + dlon))
        clauses.append(box)
    if not clauses:
        return None
    stmt = (
        select(R.id, R.duplicate_of_id, R.enterprise_id, R.lat, R.lon)
        .where(
            R.received_on >= since,
            R.deleted_at.is_(None),
            R.status != ReportStatus.rejected.value,
            or_(*clauses),
        )
        .order_by(R.created_at, R.id)
        .limit(200)
    )
    for row in (await session.execute(stmt)).all():
        same_unit = enterprise_id is not None and row[2] == enterprise_id
        near = (
            lat is not None
            and lon is not None
            and row[3] is not None
            and row[4] is not None
            and _metres(lat, lon, row[3], row[4]) <= radius_m
        )
        if same_unit or near:
            return row[0], row[1]
    return None


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


async def matter_reports(session: AsyncSession, root_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every report of one matter (the first and those linked to it), oldest first."""
    stmt = (
        select(R.id, R.finding, R.status, R.reward_status, R.created_at)
        .where(or_(R.id == root_id, R.duplicate_of_id == root_id), R.deleted_at.is_(None))
        .order_by(R.created_at, R.id)
    )
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


async def hit_rate_window(
    session: AsyncSession, *, bucket: str, client_key: str, window_start: datetime
) -> int:
    """Count one request in the fixed window and return the count so far (atomic upsert)."""
    # Past windows of every client are dropped as new windows start.
    await session.execute(
        delete(PublicReportRateWindow).where(PublicReportRateWindow.window_start < window_start)
    )
    stmt = (
        insert(PublicReportRateWindow)
        .values(bucket=bucket, client_key=client_key, window_start=window_start, count=1)
        .on_conflict_do_update(
            index_elements=[
                PublicReportRateWindow.bucket,
                PublicReportRateWindow.client_key,
                PublicReportRateWindow.window_start,
            ],
            set_={"count": PublicReportRateWindow.count + 1},
        )
        .returning(PublicReportRateWindow.count)
    )
    count: int = (await session.execute(stmt)).scalar_one()
    return count


# --- routing rules -------------------------------------------------------------------------

RULE_COLUMNS: tuple[Any, ...] = (
    Q.id,
    Q.category,
    Q.sector,
    Q.region_prefix,
    Q.department_id,
    Q.priority,
    Q.active,
    Q.note,
    Q.version,
    Q.created_at,
    Q.updated_at,
)


def rule_scope(principal: Principal) -> ColumnElement[bool]:
    if principal.role is Role.admin:
        return true()
    if not principal.region_code:
        return false()
    return region_subtree(Q.region_prefix, principal.region_code)


async def rules(session: AsyncSession, principal: Principal) -> list[dict[str, Any]]:
    stmt = (
        select(*RULE_COLUMNS)
        .where(rule_scope(principal))
        .order_by(Q.region_prefix, Q.priority, Q.id)
    )
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


async def rule_row(
    session: AsyncSession, principal: Principal, rule_id: uuid.UUID
) -> dict[str, Any] | None:
    row = (
        (await session.execute(select(*RULE_COLUMNS).where(Q.id == rule_id, rule_scope(principal))))
        .mappings()
        .first()
    )
    return dict(row) if row else None


async def rule_for_update(
    session: AsyncSession, principal: Principal, rule_id: uuid.UUID
) -> ReportRoutingRule | None:
    stmt = select(Q).where(Q.id == rule_id, rule_scope(principal)).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()
