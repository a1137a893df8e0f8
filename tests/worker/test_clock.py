"""The deadline clock: every job fires once and only once, whatever the number of runs."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from app.config import Settings
from app.core.clock import utcnow
from app.models.hazard import Hazard
from app.models.responsibility import ResponsibilityAssignment, ResponsibilitySnapshot
from app.models.webhook import WebhookDelivery
from app.worker.clock import run_due_jobs, run_job
from tests.events.builders import all_events
from tests.factories import COUNTY, TOWN, create_department, create_enterprise
from tests.worker.builders import add_hazard, at_china, travel_to

Headers = dict[str, str]


@pytest.fixture
async def session(connection: AsyncConnection) -> AsyncIterator[AsyncSession]:
    s = AsyncSession(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield s
    await s.close()


async def run(session: AsyncSession, settings: Settings, name: str) -> int:
    result = await run_job(session, settings, name)
    await session.commit()  # releases the savepoint into the test's transaction
    fired: int = result["fired"]
    return fired


async def notifications(client: AsyncClient, headers: Headers) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/me/notifications", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


async def test_overdue_fires_once_per_deadline(
    client: AsyncClient,
    admin: Headers,
    token: Callable[..., Headers],
    session: AsyncSession,
    settings: Settings,
) -> None:
    ent = await create_enterprise(client, admin)
    hazard = await add_hazard(session, ent, deadline=date(2026, 10, 9))
    closed = await add_hazard(session, ent, deadline=date(2026, 10, 9), status="closed")
    no_deadline = await add_hazard(session, ent, deadline=None, status="registered")
    await session.commit()

    async def stamp(h: Any) -> tuple[int, int, int]:
        row = await session.execute(
            select(Hazard.sync_xid, Hazard.sync_seq, Hazard.version)
            .where(Hazard.id == h.id)
            .execution_options(populate_existing=True)
        )
        xid, seq, version = row.one()
        return int(xid), int(seq), int(version)

    travel_to(date(2026, 10, 9))  # the deadline day itself is not overdue
    before = await stamp(hazard)
    assert await run(session, settings, "hazard_overdue") == 0
    assert await stamp(hazard) == before
    travel_to(date(2026, 10, 10))
    assert await run(session, settings, "hazard_overdue") == 1
    # the flip is a change for delta sync (a new stamp, once); the version stays
    flipped = await stamp(hazard)
    assert flipped[:2] > before[:2]
    assert flipped[2] == before[2]
    assert await run(session, settings, "hazard_overdue") == 0
    travel_to(date(2026, 10, 20))
    assert await run(session, settings, "hazard_overdue") == 0
    assert await stamp(hazard) == flipped
    events = await all_events(client, admin, type="hazard.overdue")
    subjects = [e["subject"] for e in events]
    assert subjects == [f"hazard/{hazard.id}"]
    assert f"hazard/{closed.id}" not in subjects
    assert f"hazard/{no_deadline.id}" not in subjects
    data = events[0]["data"]
    assert (data["deadline"], data["overdue_since"], data["version"]) == (
        "2026-10-09",
        "2026-10-10",
        1,
    )
    # the responsibility chain was stored at that moment
    snapshots = (
        await session.execute(
            select(func.count())
            .select_from(ResponsibilitySnapshot)
            .where(ResponsibilitySnapshot.hazard_id == hazard.id)
        )
    ).scalar_one()
    assert snapshots == 1
    # the enterprise sees it; the notification is an event too
    mine = await notifications(client, token("enterprise_user", enterprise_id=ent["id"]))
    assert [n["kind"] for n in mine] == ["hazard_overdue"]
    assert mine[0]["resource_id"] == str(hazard.id)
    assert mine[0]["data"]["responsible_person"]["name"] == "王五"
    created = [
        e
        for e in await all_events(client, admin, type="notification.created")
        if e["subject"] == f"notification/{mine[0]['id']}"
    ]
    assert len(created) == 1
    # an extension gives a new deadline: overdue again, once, after it passes
    hazard.deadline = date(2026, 10, 30)
    await session.commit()
    assert await run(session, settings, "hazard_overdue") == 0
    travel_to(date(2026, 10, 31))
    assert await run(session, settings, "hazard_overdue") == 1
    assert await run(session, settings, "hazard_overdue") == 0


async def test_reminder_counts_working_days(
    client: AsyncClient,
    admin: Headers,
    token: Callable[..., Headers],
    session: AsyncSession,
    settings: Settings,
) -> None:
    """Deadline Monday 2026-10-12, reminder 3 working days before: the holiday (Oct 1-7) does not
    count, the adjusted Saturday Oct 10 does, so the reminder comes on Thursday Oct 8."""
    ent = await create_enterprise(client, admin)
    hazard = await add_hazard(session, ent, deadline=date(2026, 10, 12))
    await add_hazard(session, ent, deadline=date(2026, 10, 12), status="pending_verification")
    await session.commit()
    assert settings.clock_reminder_working_days == 3
    for day in (date(2026, 9, 29), date(2026, 9, 30), date(2026, 10, 1), date(2026, 10, 7)):
        travel_to(day)
        assert await run(session, settings, "deadline_reminder") == 0, day
    travel_to(date(2026, 10, 8))
    assert await run(session, settings, "deadline_reminder") == 1
    assert await run(session, settings, "deadline_reminder") == 0
    travel_to(date(2026, 10, 9))
    assert await run(session, settings, "deadline_reminder") == 0
    (note,) = await notifications(client, token("enterprise_user", enterprise_id=ent["id"]))
    assert note["kind"] == "deadline_reminder"
    assert note["resource_id"] == str(hazard.id)
    assert note["data"]["working_days_left"] == 3
    assert note["data"]["responsible_person"] == {"name": "王五", "phone": "13700000000"}


async def test_escalation_ladder_each_step_once(
    client: AsyncClient,
    admin: Headers,
    token: Callable[..., Headers],
    session: AsyncSession,
    settings: Settings,
) -> None:
    dept = await create_department(client, admin)
    ent = await create_enterprise(client, admin)
    hazard = await add_hazard(
        session, ent, deadline=date(2026, 10, 9), order_department_id=uuid.UUID(dept["id"])
    )
    await session.commit()
    expected = {
        date(2026, 10, 9): 0,
        date(2026, 10, 10): 1,
        date(2026, 10, 16): 0,
        date(2026, 10, 17): 1,
        date(2026, 11, 8): 0,
        date(2026, 11, 9): 1,
        date(2026, 12, 31): 0,
    }
    for day, fired in expected.items():
        travel_to(day)
        assert await run(session, settings, "overdue_escalation") == fired, day
        assert await run(session, settings, "overdue_escalation") == 0, day
    steps = [
        e["data"]["step"]["target"]
        for e in await all_events(client, admin, type="hazard.escalation_step")
        if e["subject"] == f"hazard/{hazard.id}"
    ]
    assert steps == ["supervising_department", "territorial_official", "listing_suggestion"]
    official = token("department_official", department_id=dept["id"])
    assert [n["kind"] for n in await notifications(client, official)] == ["overdue_escalation"]
    town = token("town_official", region_code=TOWN)
    assert [n["kind"] for n in await notifications(client, town)] == ["overdue_escalation"]
    office = token("committee_office", region_code=COUNTY)
    assert [n["kind"] for n in await notifications(client, office)] == ["listing_suggestion"]


async def test_extension_acceptance_and_lookback(
    client: AsyncClient,
    admin: Headers,
    token: Callable[..., Headers],
    session: AsyncSession,
    settings: Settings,
) -> None:
    ent = await create_enterprise(client, admin)
    extension = await add_hazard(
        session,
        ent,
        deadline=date(2026, 10, 20),
        status="extension_requested",
        extension_requested_deadline=date(2026, 11, 20),
    )
    review = await add_hazard(
        session,
        ent,
        deadline=date(2026, 10, 20),
        level="major",
        status="pending_verification",
        completed_at=at_china(date(2026, 10, 8)),
    )
    coal = await add_hazard(
        session,
        ent,
        deadline=date(2026, 10, 20),
        level="major",
        status="pending_verification",
        completed_at=at_china(date(2026, 10, 8)),
        sector="coal",
    )
    closed = await add_hazard(
        session,
        ent,
        deadline=date(2026, 9, 20),
        status="closed",
        closed_at=at_china(date(2026, 10, 1)),
    )
    await session.commit()
    travel_to(date(2026, 10, 12))
    assert await run(session, settings, "extension_pending") == 1
    assert await run(session, settings, "extension_pending") == 0
    travel_to(date(2026, 10, 18))  # 10 days after the application: still within the period
    assert await run(session, settings, "acceptance_review_overdue") == 0
    travel_to(date(2026, 10, 19))
    assert await run(session, settings, "acceptance_review_overdue") == 1
    assert await run(session, settings, "acceptance_review_overdue") == 0
    travel_to(date(2026, 10, 28))  # coal: 20 days
    assert await run(session, settings, "acceptance_review_overdue") == 0
    travel_to(date(2026, 10, 29))
    assert await run(session, settings, "acceptance_review_overdue") == 1
    assert await run(session, settings, "acceptance_review_overdue") == 0
    travel_to(date(2026, 10, 30))
    assert await run(session, settings, "lookback_due") == 0
    travel_to(date(2026, 10, 31))  # closed Oct 1 + 30 days
    assert await run(session, settings, "lookback_due") == 1
    assert await run(session, settings, "lookback_due") == 0
    office = token("committee_office", region_code=COUNTY)
    got = {n["resource_id"]: n["kind"] for n in await notifications(client, office)}
    assert got == {
        str(extension.id): "extension_pending",
        str(review.id): "acceptance_review_overdue",
        str(coal.id): "acceptance_review_overdue",
        str(closed.id): "lookback_due",
    }


async def test_responsibility_reconfirmation_every_period(
    client: AsyncClient,
    admin: Headers,
    token: Callable[..., Headers],
    session: AsyncSession,
    settings: Settings,
) -> None:
    dept = await create_department(client, admin)
    ent = await create_enterprise(client, admin)
    assignment = ResponsibilityAssignment(
        id=uuid.uuid4(),
        kind="departmental_supervision",
        holder_type="department",
        holder_department_id=uuid.UUID(dept["id"]),
        object_type="enterprise",
        object_enterprise_id=uuid.UUID(ent["id"]),
        valid_from=at_china(date(2026, 1, 5)),
        region_code=ent["region_code"],
        sectors=ent["sectors"],
        enterprise_id=uuid.UUID(ent["id"]),
        created_by="test",
    )
    session.add(assignment)
    await session.commit()
    fired = {}
    for day in (
        date(2026, 4, 4),
        date(2026, 4, 5),
        date(2026, 4, 6),
        date(2026, 6, 1),
        date(2026, 7, 4),
        date(2026, 7, 5),
    ):
        travel_to(day)
        fired[day] = await run(session, settings, "responsibility_reconfirm")
    # valid from Jan 5: 90 days on Apr 5, 180 days on Jul 4
    assert fired == {
        date(2026, 4, 4): 0,
        date(2026, 4, 5): 1,
        date(2026, 4, 6): 0,
        date(2026, 6, 1): 0,
        date(2026, 7, 4): 1,
        date(2026, 7, 5): 0,
    }
    official = token("department_official", department_id=dept["id"])
    kinds = [n["kind"] for n in await notifications(client, official)]
    assert kinds == ["responsibility_reconfirm", "responsibility_reconfirm"]


async def test_scheduler_runs_each_job_once_per_interval(
    connection: AsyncConnection, settings: Settings
) -> None:
    maker = async_sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    first = await run_due_jobs(maker, settings, "w1")
    assert set(first) >= {
        "acceptance_review_overdue",
        "deadline_reminder",
        "extension_pending",
        "hazard_overdue",
        "lookback_due",
        "overdue_escalation",
        "responsibility_reconfirm",
        "prune_deliveries",
        "prune_outbox",
        "prune_sync_removals",
    }
    assert all("error" not in r for r in first.values()), first
    assert await run_due_jobs(maker, settings, "w2") == {}  # not due again yet
    travel_to(date.today() + timedelta(days=1))
    again = await run_due_jobs(maker, settings, "w2")
    assert set(again) == set(first)


async def _subscription(client: AsyncClient, admin: Headers) -> uuid.UUID:
    r = await client.post(
        "/api/v1/webhook-subscriptions", json={"url": "https://e.example.gov.cn/"}, headers=admin
    )
    assert r.status_code == 201, r.text
    return uuid.UUID(r.json()["id"])


def _delivery(
    subscription_id: uuid.UUID, event_seq: int, status: str, at: datetime
) -> WebhookDelivery:
    return WebhookDelivery(
        id=uuid.uuid4(),
        subscription_id=subscription_id,
        event_seq=event_seq,
        event_id=uuid.uuid4(),
        event_type="gov.anjian.x",
        status=status,
        next_attempt_at=at,
        created_at=at,
    )


async def test_prune_finished_deliveries(
    client: AsyncClient, admin: Headers, session: AsyncSession, settings: Settings
) -> None:
    sub = await _subscription(client, admin)
    old = utcnow() - timedelta(days=settings.event_retention_days + 1)
    for status in ("succeeded", "failed", "pending"):
        session.add(_delivery(sub, 1, status, old))
    await session.commit()
    result = await run_job(session, settings, "prune_deliveries")
    await session.commit()
    assert result == {"pruned": 2}
    log = (
        await client.get(f"/api/v1/webhook-subscriptions/{sub}/deliveries", headers=admin)
    ).json()["items"]
    assert [d["status"] for d in log] == ["pending"]


async def test_prune_sync_removals_after_the_retention(
    session: AsyncSession, settings: Settings
) -> None:
    old = utcnow() - timedelta(days=settings.sync_retention_days + 2)
    for key, at in (("old", old), ("recent", utcnow())):
        await session.execute(
            text(
                "INSERT INTO sync_removal (seq, xid, resource, row_key, reason, removed_at) "
                "VALUES (nextval('anjian_change_seq'), 1, 'enterprise', :k, 'deleted', :t)"
            ),
            {"k": key, "t": at},
        )
    result = await run_job(session, settings, "prune_sync_removals")
    left = set((await session.execute(text("SELECT row_key FROM sync_removal"))).scalars())
    assert result["pruned"] >= 1
    assert "old" not in left
    assert "recent" in left


async def test_prune_outbox_keeps_what_is_still_needed(
    client: AsyncClient, admin: Headers, session: AsyncSession, settings: Settings
) -> None:
    sub = await _subscription(client, admin)
    for _ in range(4):
        await create_enterprise(client, admin)
    rows = (await session.execute(text("SELECT seq, xid FROM outbox_event ORDER BY seq"))).all()
    assert len(rows) >= 4
    old, kept_pending, passed_cursor, recent = (r.seq for r in rows[-4:])
    stale = utcnow() - timedelta(days=settings.event_retention_days + 1)
    await session.execute(
        text("UPDATE outbox_event SET time = :t WHERE seq = ANY(:s)"),
        {"t": stale, "s": [old, kept_pending, passed_cursor]},
    )
    # the dispatcher has read up to kept_pending; passed_cursor is old but not dispatched yet
    cursor = next(r for r in rows if r.seq == kept_pending)
    await session.execute(
        text(
            "INSERT INTO worker_cursor (name, xid, seq, updated_at) "
            "VALUES ('webhook_dispatch', :x, :s, now()) "
            "ON CONFLICT (name) DO UPDATE SET xid = :x, seq = :s"
        ),
        {"x": cursor.xid, "s": cursor.seq},
    )
    session.add(_delivery(sub, kept_pending, "pending", utcnow()))
    await session.commit()
    result = await run_job(session, settings, "prune_outbox")
    await session.commit()
    assert result["more"] is False
    left = set((await session.execute(text("SELECT seq FROM outbox_event"))).scalars())
    assert old not in left
    assert {kept_pending, passed_cursor, recent} <= left
    assert result["pruned"] >= 1
