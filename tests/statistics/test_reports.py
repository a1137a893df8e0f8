"""Enterprise quarterly / annual statistics reports: generate, sign, overdue list."""

from __future__ import annotations

from collections.abc import Callable

from httpx import AsyncClient

from app.statistics.reports.service import period_bounds
from tests.factories import COUNTY, TOWN_2, create_enterprise
from tests.hazards.builders import World

URL = "/api/v1/enterprise-statistics-reports"
AUGUST = "2026-08-10T09:00:00+08:00"


def test_due_dates() -> None:
    assert [str(d) for d in period_bounds("2026-Q1")] == ["2026-01-01", "2026-04-01", "2026-04-15"]
    assert str(period_bounds("2026-Q4")[2]) == "2027-01-15"
    assert str(period_bounds("2026")[2]) == "2027-01-31"


async def test_generate_sign_and_overdue(
    world: World, client: AsyncClient, token: Callable[..., dict[str, str]]
) -> None:
    await world.rectifying(found_at=AUGUST)
    await world.registered("major", found_at=AUGUST)
    cancelled = await world.hazard(found_at=AUGUST)
    await world.ok(cancelled, "cancel", {"reason": "重复"})
    await world.hazard(found_at="2026-10-05T09:00:00+08:00")  # next quarter
    own = world.enterprise_user
    body = {"enterprise_id": world.ent_id, "period": "2026-Q3"}
    created = await client.post(URL, json=body, headers=own)
    assert created.status_code == 201, created.text
    report = created.json()
    assert (report["due_on"], report["status"]) == ("2026-10-15", "generated")
    assert report["figures"] == {
        "found": 2,
        "general": 1,
        "major": 1,
        "self_inspection": 0,
        "closed": 0,
        "open": 2,
        "overdue": 0,
        "major_cleared": 0,
        "rectification_rate": 0.0,
        "funds": "0",
    }
    again = await client.post(URL, json=body, headers=own)
    assert (again.status_code, again.json()["id"]) == (200, report["id"])
    office = token("committee_office", region_code=COUNTY)
    seen = await client.get(f"{URL}/{report['id']}", headers=office)
    assert seen.status_code == 200
    other = await create_enterprise(client, world.admin, region_code=TOWN_2)
    late = await client.get(f"{URL}/overdue", params={"period": "2026-Q3"}, headers=office)
    listed = {x["enterprise_id"]: x for x in late.json()["items"]}
    assert listed[world.ent_id]["status"] == "generated"
    assert listed[other["id"]]["report_id"] is None
    url = f"{URL}/{report['id']}/sign"
    stale = await client.post(url, json={"signer_name": "张三"}, headers={**own, "If-Match": '"9"'})
    assert stale.status_code == 412
    signed = await client.post(url, json={"signer_name": "张三"}, headers=own)
    assert signed.status_code == 200, signed.text
    assert (signed.json()["status"], signed.json()["signer_name"]) == ("signed", "张三")
    assert (await client.post(url, json={"signer_name": "张三"}, headers=own)).status_code == 409
    regenerate = await client.post(URL, json=body, headers=own)
    assert (regenerate.status_code, regenerate.json()["code"]) == (409, "statistics_report_signed")
    late = await client.get(
        f"{URL}/overdue", params={"period": "2026-Q3", "limit": 1}, headers=office
    )
    ids = [x["enterprise_id"] for x in late.json()["items"]]
    assert world.ent_id not in ids
    not_due = await client.get(f"{URL}/overdue", params={"period": "2026-Q4"}, headers=office)
    assert not_due.json()["items"] == []


async def test_refusals(
    world: World, client: AsyncClient, token: Callable[..., dict[str, str]]
) -> None:
    body = {"enterprise_id": world.ent_id, "period": "2026-Q3"}
    assert (await client.post(URL, json=body)).status_code == 401
    assert (await client.post(URL, json=body, headers=world.dept)).status_code == 403
    other = await create_enterprise(client, world.admin, region_code=TOWN_2)
    stranger = token("enterprise_user", enterprise_id=other["id"])
    refused = await client.post(URL, json=body, headers=stranger)
    assert refused.status_code == 422
    assert refused.json()["code"] == "reference_not_found"
    future = await client.post(
        URL, json={**body, "period": "2026-Q4"}, headers=world.enterprise_user
    )
    assert (future.status_code, future.json()["code"]) == (422, "period_not_ended")
    bad = await client.post(URL, json={**body, "period": "2026-Q5"}, headers=world.enterprise_user)
    assert bad.status_code == 422
    made = (await client.post(URL, json=body, headers=world.enterprise_user)).json()
    assert (await client.get(f"{URL}/{made['id']}", headers=stranger)).status_code == 404
    sign = await client.post(
        f"{URL}/{made['id']}/sign", json={"signer_name": "x"}, headers=world.dept
    )
    assert sign.status_code == 403
    assert (
        await client.get(
            f"{URL}/overdue", params={"period": "2026-Q3"}, headers=world.enterprise_user
        )
    ).status_code == 403
