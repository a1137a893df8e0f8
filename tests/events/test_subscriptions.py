"""Webhook subscriptions over HTTP: admin or a system client for itself; secret shown once."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.core.clock import utcnow
from app.models.webhook import WebhookDelivery
from tests.events.builders import all_events, create_system_key
from tests.factories import COUNTY, OTHER_COUNTY

Headers = dict[str, str]
BASE = "/api/v1/webhook-subscriptions"


async def test_admin_crud_secret_once(client: AsyncClient, admin: Headers) -> None:
    body = {
        "url": "https://receiver.example.gov.cn/anjian",
        "event_types": ["hazard.*", "hazard.overdue", "gov.anjian.notification.created"],
        "region_code": COUNTY,
        "sectors": ["hazchem"],
    }
    created = await client.post(BASE, json=body, headers=admin)
    assert created.status_code == 201, created.text
    sub = created.json()
    assert sub["secret"].startswith("whsec_")
    assert created.headers["location"] == f"{BASE}/{sub['id']}"
    assert created.headers["etag"] == '"1"'
    assert sub["event_types"] == [
        "gov.anjian.hazard.*",
        "gov.anjian.hazard.overdue",
        "gov.anjian.notification.created",
    ]
    got = await client.get(f"{BASE}/{sub['id']}", headers=admin)
    assert got.status_code == 200
    assert "secret" not in got.json()
    listed = await client.get(BASE, headers=admin)
    assert sub["id"] in [s["id"] for s in listed.json()["items"]]
    patched = await client.patch(
        f"{BASE}/{sub['id']}", json={"active": False}, headers={**admin, "If-Match": '"1"'}
    )
    assert patched.status_code == 200
    assert patched.json()["active"] is False
    assert patched.json()["version"] == 2
    stale = await client.patch(
        f"{BASE}/{sub['id']}", json={"active": True}, headers={**admin, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    rotated = await client.post(f"{BASE}/{sub['id']}/rotate-secret", headers=admin)
    assert rotated.status_code == 200
    assert rotated.json()["secret"].startswith("whsec_")
    assert rotated.json()["secret"] != sub["secret"]
    assert rotated.json()["previous_secrets_valid_until"] is not None
    deliveries = await client.get(f"{BASE}/{sub['id']}/deliveries", headers=admin)
    assert deliveries.status_code == 200
    assert deliveries.json()["items"] == []
    assert (await client.delete(f"{BASE}/{sub['id']}", headers=admin)).status_code == 204
    assert (await client.get(f"{BASE}/{sub['id']}", headers=admin)).status_code == 404
    types = [
        e["type"]
        for e in await all_events(client, admin)
        if e["subject"] == f"webhook_subscription/{sub['id']}"
    ]
    assert types == [
        "gov.anjian.webhook_subscription.created",
        "gov.anjian.webhook_subscription.updated",
        "gov.anjian.webhook_subscription.secret_rotated",
        "gov.anjian.webhook_subscription.deleted",
    ]


async def test_client_id_repeat_and_conflict(client: AsyncClient, admin: Headers) -> None:
    sub_id = str(uuid.uuid4())
    body = {"id": sub_id, "url": "https://receiver.example.gov.cn/a"}
    first = await client.post(BASE, json=body, headers=admin)
    assert first.status_code == 201
    again = await client.post(BASE, json=body, headers=admin)
    assert again.status_code == 200
    assert again.json()["secret"] is None
    other = await client.post(
        BASE, json={**body, "url": "https://other.example.gov.cn/"}, headers=admin
    )
    assert other.status_code == 409


async def test_refusals(client: AsyncClient, admin: Headers, token: Callable[..., Headers]) -> None:
    for url in (
        "http://127.0.0.1:8080/x",
        "http://10.1.2.3/x",
        "http://169.254.169.254/x",
        "http://[::1]/x",
        "http://localhost/x",
        "ftp://example.gov.cn/x",
    ):
        refused = await client.post(BASE, json={"url": url}, headers=admin)
        assert refused.status_code == 422, (url, refused.text)
    assert (
        await client.post(BASE, json={"url": "https://e.gov.cn", "x": 1}, headers=admin)
    ).status_code == 422
    assert (
        await client.post(
            BASE, json={"url": "https://e.gov.cn", "event_types": ["Not A Type"]}, headers=admin
        )
    ).status_code == 422
    assert (await client.post(BASE, json={"url": "https://e.gov.cn"})).status_code == 401
    for role in ("committee_office", "department_official", "inspector"):
        headers = token(role, region_code=COUNTY)
        assert (
            await client.post(BASE, json={"url": "https://e.gov.cn"}, headers=headers)
        ).status_code == 403
        assert (await client.get(BASE, headers=headers)).status_code == 403
    missing = await client.get(f"{BASE}/{uuid.uuid4()}", headers=admin)
    assert missing.status_code == 404
    assert missing.json()["code"] == "webhook_subscription_not_found"


async def test_system_client_manages_only_its_own(
    client: AsyncClient, admin: Headers, connection: AsyncConnection
) -> None:
    session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")
    _, mine = await create_system_key(
        session, region_code=COUNTY, sectors=["hazchem", "gas"], read_only=False
    )
    _, theirs = await create_system_key(session, read_only=False)
    await session.commit()
    await session.close()
    me, other = {"X-API-Key": mine}, {"X-API-Key": theirs}
    created = await client.post(BASE, json={"url": "https://hotline.example.gov.cn/"}, headers=me)
    assert created.status_code == 201, created.text
    sub = created.json()
    assert sub["owner_api_key_id"] is not None
    assert sub["region_code"] == COUNTY  # defaults to the key's scope
    assert sub["sectors"] == ["gas", "hazchem"]
    wider = await client.post(
        BASE, json={"url": "https://h.example.gov.cn/", "region_code": OTHER_COUNTY}, headers=me
    )
    assert wider.status_code == 422
    assert (
        await client.post(
            BASE, json={"url": "https://h.example.gov.cn/", "sectors": ["coal"]}, headers=me
        )
    ).status_code == 422
    assert (await client.get(f"{BASE}/{sub['id']}", headers=other)).status_code == 404
    assert (await client.delete(f"{BASE}/{sub['id']}", headers=other)).status_code == 404
    assert [s["id"] for s in (await client.get(BASE, headers=other)).json()["items"]] == []
    assert [s["id"] for s in (await client.get(BASE, headers=me)).json()["items"]] == [sub["id"]]
    assert (await client.get(f"{BASE}/{sub['id']}", headers=admin)).status_code == 200


async def test_redeliver(client: AsyncClient, admin: Headers, connection: AsyncConnection) -> None:
    sub = (await client.post(BASE, json={"url": "https://e.example.gov.cn/"}, headers=admin)).json()
    session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")
    delivery_id = uuid.uuid4()
    delivery = WebhookDelivery(
        id=delivery_id,
        subscription_id=uuid.UUID(sub["id"]),
        event_seq=1,
        event_id=uuid.uuid4(),
        event_type="gov.anjian.x",
        status="failed",
        attempts=14,
        next_attempt_at=utcnow(),
        last_status_code=500,
    )
    session.add(delivery)
    await session.commit()
    await session.close()
    log = (await client.get(f"{BASE}/{sub['id']}/deliveries", headers=admin)).json()["items"]
    assert [(d["status"], d["attempts"], d["last_status_code"]) for d in log] == [
        ("failed", 14, 500)
    ]
    assert log[0]["next_attempt_at"] is None
    url = f"{BASE}/{sub['id']}/deliveries/{delivery_id}/redeliver"
    again = await client.post(url, headers=admin)
    assert again.status_code == 202, again.text
    assert again.json()["status"] == "pending"
    assert again.json()["attempts"] == 0
    assert (
        await client.post(f"{BASE}/{sub['id']}/deliveries/{uuid.uuid4()}/redeliver", headers=admin)
    ).status_code == 404
    failed_only = await client.get(
        f"{BASE}/{sub['id']}/deliveries", params={"status": "failed"}, headers=admin
    )
    assert failed_only.json()["items"] == []
