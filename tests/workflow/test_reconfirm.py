"""Answering re-confirmation: the worker asks, the holder confirms or declines with a reason;
unanswered and declined ones are responsibility gaps."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.config import Settings
from app.core.clock import set_offset, utcnow
from app.worker.clock import run_job
from tests.events.builders import all_events
from tests.factories import create_enterprise
from tests.responsibility.builders import URL, assign

Token = Callable[..., dict[str, str]]
GAPS = "/api/v1/responsibility-gaps"


@pytest.fixture
async def session(connection: AsyncConnection) -> AsyncIterator[AsyncSession]:
    s = AsyncSession(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield s
    await s.close()


async def _person(client: AsyncClient, admin: dict[str, str], ent: str, sub: str) -> Any:
    body = {
        "name": sub,
        "kind": "enterprise_staff",
        "position": "other",
        "enterprise_id": ent,
        "roles": ["enterprise_user"],
        "subject": sub,
    }
    r = await client.post("/api/v1/people", json=body, headers=admin)
    assert r.status_code == 201, r.text
    return r.json()


async def _gaps(client: AsyncClient, admin: dict[str, str]) -> tuple[list[str], list[str]]:
    r = await client.get(
        GAPS,
        params=[("kind", "assignment_unconfirmed"), ("kind", "assignment_declined")],
        headers=admin,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    return (
        [a["id"] for a in body["unconfirmed_assignments"]],
        [a["id"] for a in body["declined_assignments"]],
    )


async def test_holder_confirms_or_declines_and_gaps_follow(
    client: AsyncClient,
    admin: dict[str, str],
    token: Token,
    session: AsyncSession,
    settings: Settings,
) -> None:
    ent = await create_enterprise(client, admin)
    head = await _person(client, admin, ent["id"], "head-reconfirm")
    await _person(client, admin, ent["id"], "other-reconfirm")
    a = await assign(
        client,
        admin,
        "enterprise_main_responsible",
        holder_person_id=head["id"],
        object_type="enterprise",
        object_enterprise_id=ent["id"],
        valid_from=utcnow() - timedelta(days=100),
    )
    assert a["confirmation"] == "not_requested"
    assert await _gaps(client, admin) == ([], [])

    # the worker asks (90 days after the start): unanswered is a gap
    result = await run_job(session, settings, "responsibility_reconfirm")
    await session.commit()
    assert result["fired"] == 1
    asked = (await client.get(f"{URL}/{a['id']}", headers=admin)).json()
    assert asked["confirmation"] == "requested"
    assert asked["confirmation_requested_at"] is not None
    assert await _gaps(client, admin) == ([a["id"]], [])

    as_head = token("enterprise_user", sub="head-reconfirm")
    as_other = token("enterprise_user", sub="other-reconfirm")
    url = f"{URL}/{a['id']}"
    for headers, code in ((as_other, 403), (admin, 403)):
        r = await client.post(f"{url}/confirm", json={}, headers=headers)
        assert r.status_code == code
        assert r.json()["code"] == "responsibility_not_holder"
    no_reason = await client.post(f"{url}/decline", json={}, headers=as_head)
    assert no_reason.status_code == 422
    stale = await client.post(
        f"{url}/decline", json={"reason": "x"}, headers={**as_head, "If-Match": '"1"'}
    )
    assert stale.status_code == 412

    declined = await client.post(
        f"{url}/decline", json={"reason": "已调离本单位，不再担任主要负责人"}, headers=as_head
    )
    assert declined.status_code == 200, declined.text
    body = declined.json()
    assert body["confirmation"] == "declined"
    assert body["decline_reason"] == "已调离本单位，不再担任主要负责人"
    assert body["answered_by"] == "enterprise_user:head-reconfirm"
    assert declined.headers["ETag"] == f'"{body["version"]}"'
    assert await _gaps(client, admin) == ([], [a["id"]])

    confirmed = await client.post(f"{url}/confirm", json={"comment": "仍担任"}, headers=as_head)
    assert confirmed.status_code == 200
    assert confirmed.json()["confirmation"] == "confirmed"
    assert confirmed.json()["decline_reason"] is None
    assert await _gaps(client, admin) == ([], [])

    types = [
        e["type"]
        for e in await all_events(client, admin)
        if e["subject"] == f"responsibility_assignment/{a['id']}"
    ]
    assert types[-2:] == [
        "gov.anjian.responsibility_assignment.declined",
        "gov.anjian.responsibility_assignment.confirmed",
    ]
    # the confirmation restarts the period: not asked again the next day
    set_offset(timedelta(days=1))
    assert (await run_job(session, settings, "responsibility_reconfirm"))["fired"] == 0

    # an ended assignment is not answered any more
    ended = await client.post(f"{url}/end", json={"reason": "离职"}, headers=admin)
    assert ended.status_code == 200
    late = await client.post(f"{url}/confirm", json={}, headers=as_head)
    assert late.status_code == 409
    assert late.json()["code"] == "responsibility_assignment_not_current"
