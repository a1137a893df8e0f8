"""GET /api/v1/me/notifications (unread first) and POST …/{id}/read."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.core import clock
from app.notifications.schemas import NotificationKind
from app.notifications.service import notify
from tests.events.builders import all_events
from tests.factories import COUNTY, TOWN, TOWN_2, create_department

Headers = dict[str, str]
URL = "/api/v1/me/notifications"


async def test_inboxes_unread_first_and_mark_read(
    client: AsyncClient, admin: Headers, token: Callable[..., Headers], connection: AsyncConnection
) -> None:
    dept = await create_department(client, admin)
    enterprise_id = uuid.uuid4()
    session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")
    ids = []
    recipients: list[dict[str, Any]] = [
        {"recipient_department_id": uuid.UUID(dept["id"])},
        {"recipient_department_id": uuid.UUID(dept["id"])},
        {"recipient_department_id": uuid.UUID(dept["id"])},
        {"recipient_region_code": TOWN, "recipient_role": "town_official"},
        {"recipient_enterprise_id": enterprise_id},
    ]
    for minutes, recipient in enumerate(recipients):
        clock.set_offset(timedelta(minutes=minutes))
        ids.append(
            notify(
                session,
                NotificationKind.deadline_reminder,
                title=f"提醒{minutes}",
                resource_type="hazard",
                resource_id=uuid.uuid4(),
                region_code=TOWN,
                sectors=["hazchem"],
                data={"n": minutes},
                **recipient,
            )
        )
    await session.commit()
    await session.close()
    official = token("department_official", department_id=dept["id"])
    listed = (await client.get(URL, headers=official)).json()["items"]
    assert [n["id"] for n in listed] == [str(i) for i in reversed(ids[:3])]  # newest first
    assert all(n["read_at"] is None for n in listed)
    read = await client.post(f"{URL}/{ids[2]}/read", headers=official)
    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    again = await client.post(f"{URL}/{ids[2]}/read", headers=official)
    assert again.json()["read_at"] == read.json()["read_at"]
    listed = (await client.get(URL, headers=official)).json()["items"]
    assert [n["id"] for n in listed] == [str(ids[1]), str(ids[0]), str(ids[2])]  # unread first
    unread = (await client.get(URL, params={"unread": "true"}, headers=official)).json()
    assert [n["id"] for n in unread["items"]] == [str(ids[1]), str(ids[0])]
    page = (await client.get(URL, params={"limit": 2}, headers=official)).json()
    rest = (
        await client.get(URL, params={"limit": 2, "cursor": page["next_cursor"]}, headers=official)
    ).json()
    assert [n["id"] for n in page["items"] + rest["items"]] == [n["id"] for n in listed]
    # other inboxes
    town = token("town_official", region_code=TOWN)
    assert [n["id"] for n in (await client.get(URL, headers=town)).json()["items"]] == [str(ids[3])]
    assert (await client.get(URL, headers=token("town_official", region_code=TOWN_2))).json()[
        "items"
    ] == []
    assert (await client.get(URL, headers=token("committee_office", region_code=COUNTY))).json()[
        "items"
    ] == []
    ent_user = token("enterprise_user", enterprise_id=enterprise_id)
    assert [n["id"] for n in (await client.get(URL, headers=ent_user)).json()["items"]] == [
        str(ids[4])
    ]
    # somebody else's notification is not found; unknown params are refused
    assert (await client.post(f"{URL}/{ids[0]}/read", headers=town)).status_code == 404
    assert (await client.post(f"{URL}/{uuid.uuid4()}/read", headers=town)).status_code == 404
    assert (await client.get(URL, params={"bogus": 1}, headers=town)).status_code == 422
    assert (await client.get(URL)).status_code == 401
    # every notification is an event (an SMS gateway can subscribe), and so is reading one
    types = [
        e["type"]
        for e in await all_events(client, admin)
        if e["subject"] == f"notification/{ids[2]}"
    ]
    assert types == ["gov.anjian.notification.created", "gov.anjian.notification.read"]
