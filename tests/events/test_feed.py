"""The event feed: one event per change, none after a rollback, scoped, commit-safe order."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from app.auth.policy import POLICY
from app.auth.principal import Principal, Role
from app.config import Settings
from app.events.outbox import emit_event
from app.events.schemas import EventFilter
from app.events.service import list_events
from app.models.audit import OutboxEvent
from tests.events.builders import all_events, committed, feed
from tests.factories import COUNTY, OTHER_COUNTY, OTHER_TOWN, TOWN, create_enterprise

Headers = dict[str, str]


async def test_an_event_for_each_kind_of_change(client: AsyncClient, admin: Headers) -> None:
    ent = await create_enterprise(client, admin)
    url = f"/api/v1/enterprises/{ent['id']}"
    assert (await client.patch(url, json={"address": "新地址"}, headers=admin)).status_code == 200
    body = {"reason": "重大隐患未整改", "document_number": "西应急停〔2026〕1号"}
    assert (await client.post(url + "/suspend", json=body, headers=admin)).status_code == 200
    assert (await client.delete(url, headers=admin)).status_code == 204
    events = [
        e for e in await all_events(client, admin) if e["subject"] == f"enterprise/{ent['id']}"
    ]
    assert [e["type"] for e in events] == [
        "gov.anjian.enterprise.created",
        "gov.anjian.enterprise.updated",
        "gov.anjian.enterprise.suspended",
        "gov.anjian.enterprise.deleted",
    ]
    assert [e["data"]["version"] for e in events] == [1, 2, 3, 4]
    first = events[0]
    assert first["specversion"] == "1.0"
    assert first["source"] == "/anjian/api/v1"
    assert first["datacontenttype"] == "application/json"
    assert first["data"]["status"] == "operating"
    assert first["data"]["id"] == ent["id"]


async def test_no_event_for_a_refused_or_rolled_back_change(
    client: AsyncClient, admin: Headers, connection: AsyncConnection
) -> None:
    ent = await create_enterprise(client, admin)
    before = len(await all_events(client, admin))
    # a refused write (stale If-Match) leaves no event
    stale = await client.patch(
        f"/api/v1/enterprises/{ent['id']}",
        json={"address": "x"},
        headers={**admin, "If-Match": '"7"'},
    )
    assert stale.status_code == 412
    # a write whose transaction rolls back leaves no event
    session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")
    async with session.begin_nested() as nested:
        emit_event(
            session,
            "enterprise.updated",
            resource_type="enterprise",
            resource_id=uuid.UUID(ent["id"]),
            data={"version": 99},
            region_code=TOWN,
            sectors=["hazchem"],
        )
        await session.flush()
        await nested.rollback()
    await session.close()
    assert len(await all_events(client, admin)) == before


async def test_rollback_with_real_transactions(engine: AsyncEngine, settings: Settings) -> None:
    async with committed(engine) as maker:
        async with maker() as session:
            count = select(func.count()).select_from(OutboxEvent)
            start = (await session.execute(count)).scalar_one()
        async with maker() as session, session.begin():
            emit_event(
                session,
                "enterprise.updated",
                resource_type="enterprise",
                resource_id=uuid.uuid4(),
                data={"version": 2},
            )
            await session.flush()
            await session.rollback()
        async with maker() as session:
            assert (await session.execute(count)).scalar_one() == start


async def test_paging_type_filter_and_refusals(
    client: AsyncClient, admin: Headers, token: Callable[..., Headers]
) -> None:
    for _ in range(3):
        await create_enterprise(client, admin)
    first = await feed(client, admin, limit=2, type="enterprise.created")
    assert len(first["items"]) == 2
    second = await feed(
        client, admin, after=first["next_cursor"], limit=2, type="gov.anjian.enterprise.created"
    )
    seen = [e["id"] for e in first["items"] + second["items"]]
    assert len(seen) == len(set(seen)) >= 3
    prefix = await feed(client, admin, type="enterprise.*", limit=200)
    assert {e["type"] for e in prefix["items"]} == {"gov.anjian.enterprise.created"}
    assert (
        await client.get("/api/v1/events", params={"nope": 1}, headers=admin)
    ).status_code == 422
    assert (
        await client.get("/api/v1/events", params={"type": "Bad Type!"}, headers=admin)
    ).status_code == 422
    bad = await client.get("/api/v1/events", params={"after": "forged"}, headers=admin)
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_cursor"
    assert (await client.get("/api/v1/events")).status_code == 401
    enterprise_user = token("enterprise_user", enterprise_id=uuid.uuid4())
    assert (await client.get("/api/v1/events", headers=enterprise_user)).status_code == 403


async def test_feed_is_scoped(
    client: AsyncClient, admin: Headers, token: Callable[..., Headers]
) -> None:
    here = await create_enterprise(client, admin, region_code=TOWN, sectors=["hazchem"])
    there = await create_enterprise(client, admin, region_code=OTHER_TOWN, sectors=["gas"])
    subjects = {f"enterprise/{here['id']}", f"enterprise/{there['id']}"}

    async def visible(headers: Headers) -> set[str]:
        return {e["subject"] for e in await all_events(client, headers)} & subjects

    assert await visible(admin) == subjects
    assert await visible(token("committee_office", region_code=COUNTY)) == {
        f"enterprise/{here['id']}"
    }
    assert await visible(token("committee_office", region_code=OTHER_COUNTY)) == {
        f"enterprise/{there['id']}"
    }
    assert await visible(token("town_official", region_code=TOWN)) == {f"enterprise/{here['id']}"}
    fire_dept = await client.post(
        "/api/v1/departments",
        headers=admin,
        json={
            "name": "消防救援大队",
            "kind": "department",
            "region_code": COUNTY,
            "sectors": ["fire"],
        },
    )
    assert fire_dept.status_code == 201, fire_dept.text
    official = token("department_official", department_id=fire_dept.json()["id"])
    assert await visible(official) == set()


async def test_a_slow_commit_is_never_skipped(engine: AsyncEngine, settings: Settings) -> None:
    """T1 writes first but commits last: a reader polling meanwhile must still get T1's event."""
    reader = Principal(role=Role.admin, subject="reader", permissions=POLICY[Role.admin])
    async with committed(engine) as maker:
        async with maker() as s:
            _, cursor = await list_events(s, settings, reader, EventFilter(after="0", limit=200))
            while True:
                page, nxt = await list_events(
                    s, settings, reader, EventFilter(after=cursor, limit=200)
                )
                cursor = nxt
                if not page:
                    break
        slow = maker()
        await slow.begin()
        slow_id = uuid.uuid4()
        emit_event(
            slow,
            "enterprise.updated",
            resource_type="enterprise",
            resource_id=slow_id,
            data={"version": 2},
        )
        await slow.flush()  # T1 now has its transaction id
        fast_id = uuid.uuid4()
        async with maker() as fast, fast.begin():
            emit_event(
                fast,
                "enterprise.updated",
                resource_type="enterprise",
                resource_id=fast_id,
                data={"version": 2},
            )
        async with maker() as s:
            page, cursor = await list_events(
                s, settings, reader, EventFilter(after=cursor, limit=200)
            )
        assert page == []  # T2 committed, but T1 (older) is still running: wait
        await slow.commit()
        await slow.close()
        # The horizon is this database's (app/core/horizon.py): once T1 has committed, the
        # very next read returns both, whatever runs in other databases on the server.
        async with maker() as s:
            page, cursor = await list_events(
                s, settings, reader, EventFilter(after=cursor, limit=200)
            )
        assert [e.subject for e in page] == [f"enterprise/{slow_id}", f"enterprise/{fast_id}"]


def test_widen_32_bit_xids() -> None:
    from app.core.horizon import widen

    epoch = 1 << 32
    assert widen(5, 3 * epoch + 10) == 3 * epoch + 5
    assert widen(epoch - 5, 3 * epoch + 10) == 2 * epoch + epoch - 5  # before the wrap-around
    assert widen(10, 10) == 10


async def test_system_key_sees_its_scope(
    client: AsyncClient, admin: Headers, connection: AsyncConnection
) -> None:
    from tests.events.builders import create_system_key

    here = await create_enterprise(client, admin, region_code=TOWN, sectors=["hazchem"])
    gas = await create_enterprise(client, admin, region_code=TOWN, sectors=["gas"])
    there = await create_enterprise(client, admin, region_code=OTHER_TOWN, sectors=["hazchem"])
    session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")
    _, key = await create_system_key(session, region_code=COUNTY, sectors=["hazchem"])
    await session.commit()
    await session.close()
    subjects = {f"enterprise/{e['id']}" for e in (here, gas, there)}
    seen = {e["subject"] for e in await all_events(client, {"X-API-Key": key})} & subjects
    assert seen == {f"enterprise/{here['id']}"}
