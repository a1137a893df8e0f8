"""Every resource a client caches, or that can be deleted, has `changed_since`: public reports
(a transfer removes the report from the old unit's copy), webhook subscriptions (deleted for
good: a `deleted` removal), API keys (revoked: a change; out of a `revoked=false` copy) and
workday overrides (the removal's id is the date)."""

from __future__ import annotations

from collections.abc import Callable

from httpx import AsyncClient

from tests.core.test_sync_views import Copy
from tests.public_reports.builders import act, find_report, setup_county, submit

Headers = dict[str, str]


async def test_public_report_transfer_and_sync(
    client: AsyncClient, admin: Headers, token: Callable[..., Headers]
) -> None:
    county = await setup_county(client, admin, token)
    t = county.tokens
    receipt = await submit(client, enterprise_id=county.enterprise["id"])
    rid = (await find_report(client, t["committee"], receipt["receipt_code"]))["id"]
    await act(
        client,
        t["committee"],
        rid,
        "transfer",
        {"department_id": county.emergency["id"], "reason": "属危化品监管"},
    )
    emergency = Copy(client, "/api/v1/public-reports", t["emergency"])
    housing = Copy(client, "/api/v1/public-reports", t["housing"])
    await emergency.sync()
    await housing.sync()
    assert rid in emergency.rows
    assert rid not in housing.rows
    await act(
        client,
        t["emergency"],
        rid,
        "transfer",
        {"department_id": county.housing["id"], "reason": "实为建筑工地"},
    )
    await emergency.sync()
    await housing.sync()
    assert {"id": rid, "reason": "out_of_scope"} in emergency.removed
    assert rid not in emergency.rows
    assert rid in housing.rows
    await emergency.equals_list()
    await housing.equals_list()
    # overdue changes with the date alone: not a filter a sync can follow
    r = await client.get(
        "/api/v1/public-reports",
        params={"changed_since": "0", "overdue": "true"},
        headers=t["housing"],
    )
    assert r.status_code == 422


async def test_webhook_subscription_deleted_for_good_is_a_removal(
    client: AsyncClient, admin: Headers
) -> None:
    body = {"url": "https://example.gov.cn/hook", "event_types": ["gov.anjian.hazard.*"]}
    made = await client.post("/api/v1/webhook-subscriptions", json=body, headers=admin)
    assert made.status_code == 201, made.text
    sub_id = made.json()["id"]
    copy = Copy(client, "/api/v1/webhook-subscriptions", admin)
    await copy.sync()
    assert sub_id in copy.rows
    r = await client.delete(f"/api/v1/webhook-subscriptions/{sub_id}", headers=admin)
    assert r.status_code == 204, r.text
    await copy.sync()
    assert {"id": sub_id, "reason": "deleted"} in copy.removed
    await copy.equals_list()


async def test_api_key_revoked_leaves_the_live_keys_copy(
    client: AsyncClient, admin: Headers
) -> None:
    made = await client.post(
        "/api/v1/api-keys",
        json={"name": "市平台", "role": "system", "region_code": "330106"},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    key_id = made.json()["id"]
    live = Copy(client, "/api/v1/api-keys", admin, revoked="false")
    every = Copy(client, "/api/v1/api-keys", admin)
    await live.sync()
    await every.sync()
    assert key_id in live.rows
    assert (await client.delete(f"/api/v1/api-keys/{key_id}", headers=admin)).status_code == 204
    await live.sync()
    await every.sync()
    assert {"id": key_id, "reason": "filtered_out"} in live.removed
    assert every.rows[key_id]["revoked_at"] is not None
    await live.equals_list()
    await every.equals_list()


async def test_workday_overrides_sync(client: AsyncClient, admin: Headers) -> None:
    url = "/api/v1/workday-overrides"
    body = {"is_workday": False, "reason": "西政办〔2026〕1号"}
    assert (await client.put(f"{url}/2026-10-12", json=body, headers=admin)).status_code in (
        200,
        201,
    )
    cursor = "0"
    r = await client.get(url, params={"changed_since": cursor}, headers=admin)
    assert r.status_code == 200, r.text
    assert "2026-10-12" in [i["on"] for i in r.json()["items"]]
    cursor = r.json()["next_cursor"]
    assert (await client.delete(f"{url}/2026-10-12", headers=admin)).status_code == 204
    r = await client.get(url, params={"changed_since": cursor}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["removed"] == [{"id": "2026-10-12", "reason": "deleted"}]
    assert r.json()["items"] == []
