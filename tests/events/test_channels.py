"""Channels are filtered like lists: for every caller and every subject type of the world below,
the event feed carries events of exactly the subjects the caller can read by id (200), and
the webhook fan-out uses the same rule (``app.events.channels.event_scope``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.auth.service import ADMIN_SUBSCRIBER, principal_for_key
from app.events import channels
from app.models.audit import OutboxEvent
from app.models.identity import ApiKey
from tests.events.builders import all_events
from tests.factories import (
    COUNTY,
    OTHER_COUNTY,
    OTHER_TOWN,
    TOWN,
    create_department,
    create_enterprise,
)
from tests.hazards.builders import hazard_body
from tests.people.builders import create_person
from tests.public_reports.builders import report_body
from tests.visits.builders import plan_visit

Headers = dict[str, str]
GET_PATHS = {
    "hazard": "/api/v1/hazards/{}",
    "enterprise": "/api/v1/enterprises/{}",
    "inspection_visit": "/api/v1/inspection-visits/{}",
    "department": "/api/v1/departments/{}",
    "person": "/api/v1/people/{}",
    "public_report": "/api/v1/public-reports/{}",
    "webhook_subscription": "/api/v1/webhook-subscriptions/{}",
}


async def _world(client: AsyncClient, admin: Headers) -> set[str]:
    """Subjects (``type/id``) in two counties and two sectors; returns them."""
    subjects: set[str] = set()
    reported: list[str] = []
    dept_here = await create_department(client, admin)
    dept_there = await create_department(client, admin, region_code=OTHER_COUNTY)
    subjects |= {f"department/{dept_here['id']}", f"department/{dept_there['id']}"}
    for region, sectors, dept in (
        (TOWN, ["hazchem"], dept_here),
        (TOWN, ["fire"], dept_here),
        (OTHER_TOWN, ["hazchem"], dept_there),
    ):
        ent = await create_enterprise(client, admin, region_code=region, sectors=sectors)
        hazard = await client.post(
            "/api/v1/hazards", json=hazard_body(ent["id"], sector=sectors[0]), headers=admin
        )
        assert hazard.status_code == 201, hazard.text
        visit = await plan_visit(client, admin, ent["id"], lead_department_id=dept["id"])
        staff = await create_person(client, admin, enterprise_id=ent["id"])
        reported.append(ent["id"])
        subjects |= {
            f"enterprise/{ent['id']}",
            f"hazard/{hazard.json()['id']}",
            f"inspection_visit/{visit['id']}",
            f"person/{staff['id']}",
        }
    official = await create_person(client, admin, department_id=dept_there["id"])
    subjects.add(f"person/{official['id']}")
    report = await client.post(
        "/api/v1/public-reports", json=report_body(enterprise_id=reported[0])
    )
    assert report.status_code == 201, report.text
    sub = await client.post(
        "/api/v1/webhook-subscriptions", json={"url": "https://hook.example.gov.cn/"}, headers=admin
    )
    subjects.add(f"webhook_subscription/{sub.json()['id']}")
    return subjects


async def _report_subjects(client: AsyncClient, admin: Headers) -> set[str]:
    events = await all_events(client, admin)
    return {e["subject"] for e in events if e["subject"].startswith("public_report/")}


async def _readable(client: AsyncClient, headers: Headers, subject: str) -> bool:
    kind, ident = subject.split("/", 1)
    response = await client.get(GET_PATHS[kind].format(ident), headers=headers)
    assert response.status_code in (200, 403, 404), (subject, response.text)
    return response.status_code == 200


async def test_the_feed_carries_exactly_what_the_lists_show(
    client: AsyncClient, admin: Headers, token: Callable[..., Headers]
) -> None:
    subjects = await _world(client, admin)
    subjects |= await _report_subjects(client, admin)
    hazchem = await create_department(client, admin, sectors=["hazchem"])
    keys = {}
    for name, body in {
        "key_read_only_county": {"region_code": COUNTY},
        "key_read_write_all": {"read_only": False},
    }.items():
        created = await client.post("/api/v1/api-keys", json={"name": name, **body}, headers=admin)
        keys[name] = {"X-API-Key": created.json()["key"]}
    callers: dict[str, Headers] = {
        "admin": admin,
        "committee_office": token("committee_office", region_code=COUNTY),
        "committee_office_elsewhere": token("committee_office", region_code=OTHER_COUNTY),
        "department_official": token("department_official", department_id=hazchem["id"]),
        "town_official": token("town_official", region_code=TOWN),
        "inspector": token("inspector", department_id=hazchem["id"]),
        **keys,
    }
    kinds = {s.split("/")[0] for s in subjects}
    assert kinds == set(GET_PATHS)  # every subject type of the table is exercised
    mismatches = []
    for name, headers in callers.items():
        fed = {e["subject"] for e in await all_events(client, headers)} & subjects
        readable = {s for s in subjects if await _readable(client, headers, s)}
        for kind in sorted(kinds):
            got = {s for s in fed if s.startswith(kind + "/")}
            want = {s for s in readable if s.startswith(kind + "/")}
            if got != want:
                mismatches.append((name, kind, sorted(got - want), sorted(want - got)))
    assert not mismatches, mismatches


async def test_the_fan_out_uses_the_feeds_rule(
    client: AsyncClient, admin: Headers, connection: AsyncConnection
) -> None:
    """A subscription's deliveries are what its owner's feed shows: the events a read-only key
    may not read (public reports, other subscriptions) never reach its subscription."""
    subjects = await _world(client, admin)
    created = await client.post(
        "/api/v1/api-keys", json={"name": "订阅者", "region_code": COUNTY}, headers=admin
    )
    session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")
    key = await session.get(ApiKey, uuid.UUID(created.json()["id"]))
    assert key is not None
    owner = principal_for_key(key)
    rows = (await session.execute(select(OutboxEvent.seq, OutboxEvent.subject))).all()
    seqs = [r.seq for r in rows]
    delivered = await channels.visible_seqs(session, owner, seqs)
    fed = {e["subject"] for e in await all_events(client, {"X-API-Key": created.json()["key"]})}
    assert {r.subject for r in rows if r.seq in delivered} == {r.subject for r in rows} & fed
    assert not any(
        r.subject.startswith(("public_report/", "webhook_subscription/"))
        for r in rows
        if r.seq in delivered
    )
    assert await channels.visible_seqs(session, ADMIN_SUBSCRIBER, seqs) == set(seqs)
    assert subjects  # the world was built
    await session.close()
