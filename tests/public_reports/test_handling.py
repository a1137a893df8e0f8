"""Routing, acceptance, transfer with history, rejection, deadlines, duplicate linking."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from httpx import AsyncClient

from app.core import clock
from tests.factories import COUNTY, OTHER_COUNTY, TOWN, TOWN_2, create_department
from tests.public_reports.builders import Token, act, find_report, setup_county, submit

URL = "/api/v1/public-reports"
RULES = "/api/v1/report-routing-rules"


async def _rule(
    client: AsyncClient, headers: dict[str, str], status: int = 201, **body: Any
) -> dict[str, Any]:
    response = await client.post(RULES, json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_routing_by_rules_and_deaths_to_county_government(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    county = await setup_county(client, admin, token)
    committee = county.tokens["committee"]
    await _rule(
        client,
        committee,
        category="major_hazard",
        sector="hazchem",
        region_prefix=COUNTY,
        department_id=county.emergency["id"],
    )
    await _rule(
        client,
        committee,
        sector="construction",
        region_prefix=COUNTY,
        department_id=county.housing["id"],
    )
    await _rule(
        client, committee, region_prefix=TOWN, department_id=county.town["id"], priority=200
    )
    # Any category catches deaths too; the county government takes them regardless.
    await _rule(
        client,
        committee,
        region_prefix=COUNTY,
        department_id=county.emergency["id"],
        priority=0,
        category="accident_with_deaths",
    )

    on_hazchem = await submit(client, enterprise_id=county.enterprise["id"])
    building = await submit(
        client,
        category="illegal_production",
        region_code=TOWN_2,
        subject_name="某工地",
        sector="construction",
    )
    in_town = await submit(
        client, category="illegal_production", region_code=TOWN, subject_name="某作坊"
    )
    elsewhere = await submit(
        client, category="concealed_accident", region_code=TOWN_2, subject_name="某厂"
    )
    deaths = await submit(
        client, category="accident_with_deaths", enterprise_id=county.enterprise["id"]
    )
    expected = {
        on_hazchem["receipt_code"]: county.emergency["id"],
        building["receipt_code"]: county.housing["id"],
        in_town["receipt_code"]: county.town["id"],
        elsewhere["receipt_code"]: county.committee["id"],
        deaths["receipt_code"]: county.government["id"],
    }
    for code, department_id in expected.items():
        report = await find_report(client, committee, code)
        assert report["assigned_department_id"] == department_id, code

    rules = (await client.get(RULES, headers=committee)).json()["items"]
    assert len(rules) == 4
    # Rules are the committee office's: not a department's, not outside its region.
    assert (await client.get(RULES, headers=county.tokens["emergency"])).status_code == 403
    await _rule(
        client, committee, 404, region_prefix=OTHER_COUNTY, department_id=county.emergency["id"]
    )
    await _rule(
        client,
        committee,
        422,
        region_prefix=COUNTY,
        department_id="0190f5a0-0000-7000-8000-000000000000",
    )
    retired = await client.patch(
        f"{RULES}/{rules[0]['id']}",
        json={"active": False},
        headers={**committee, "If-Match": '"1"'},
    )
    assert retired.status_code == 200
    assert retired.json()["active"] is False
    stale = await client.patch(
        f"{RULES}/{rules[0]['id']}", json={"priority": 5}, headers={**committee, "If-Match": '"1"'}
    )
    assert stale.status_code == 412


async def test_accept_transfer_keeps_history(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    county = await setup_county(client, admin, token)
    t = county.tokens
    receipt = await submit(client, enterprise_id=county.enterprise["id"])
    report = await find_report(client, t["committee"], receipt["receipt_code"])
    rid = report["id"]
    # Only the assigned unit (or the committee office) sees and handles it.
    assert (await client.get(f"{URL}/{rid}", headers=t["emergency"])).status_code == 404
    assert (await client.get(f"{URL}/{rid}")).status_code == 401
    assert (await client.get(f"{URL}/{rid}", headers=t["enterprise_user"])).status_code == 403
    assert (await client.get(f"{URL}/{rid}", headers=t["expert"])).status_code == 403

    moved = await act(
        client,
        t["committee"],
        rid,
        "transfer",
        {"department_id": county.emergency["id"], "reason": "属危化品监管"},
    )
    assert moved["assigned_department_id"] == county.emergency["id"]
    assert moved["status"] == "received"
    accepted = await act(client, t["emergency"], rid, "accept", {"note": "受理"})
    assert accepted["status"] == "accepted"
    assert accepted["accepted_on"] == clock.today_china().isoformat()
    await act(client, t["emergency"], rid, "accept", status=409)
    # The department passes it on to the housing bureau: it leaves the department's view.
    await act(
        client,
        t["emergency"],
        rid,
        "transfer",
        {"department_id": county.housing["id"], "reason": "实为建筑工地"},
    )
    assert (await client.get(f"{URL}/{rid}", headers=t["emergency"])).status_code == 404
    await act(client, t["emergency"], rid, "accept", status=404)
    await act(
        client,
        t["housing"],
        rid,
        "transfer",
        {"department_id": county.housing["id"], "reason": "x"},
        status=409,
    )
    await act(
        client,
        t["housing"],
        rid,
        "transfer",
        {"department_id": "0190f5a0-0000-7000-8000-000000000000", "reason": "x"},
        status=422,
    )
    history = (await client.get(f"{URL}/{rid}/history", headers=t["housing"])).json()["items"]
    assert [h["action"] for h in history] == ["received", "transfer", "accept", "transfer"]
    assert (history[1]["from_department_id"], history[1]["to_department_id"]) == (
        county.committee["id"],
        county.emergency["id"],
    )
    assert (history[3]["from_department_id"], history[3]["to_department_id"]) == (
        county.emergency["id"],
        county.housing["id"],
    )
    assert history[3]["note"] == "实为建筑工地"
    # A town official sees reports of its territory but does not handle others' reports.
    assert (await client.get(f"{URL}/{rid}", headers=t["town"])).status_code == 200
    await act(client, t["town"], rid, "accept", status=403)
    await act(client, t["emergency_inspector"], rid, "accept", status=403)
    stale = await client.post(
        f"{URL}/{rid}/accept", json={}, headers={**t["housing"], "If-Match": '"1"'}
    )
    assert stale.status_code == 412


async def test_deaths_stay_with_county_government(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    county = await setup_county(client, admin, token)
    receipt = await submit(
        client, category="accident_with_deaths", region_code=TOWN, subject_name="某采石场"
    )
    report = await find_report(client, county.tokens["government"], receipt["receipt_code"])
    await act(
        client,
        county.tokens["government"],
        report["id"],
        "transfer",
        {"department_id": county.emergency["id"], "reason": "x"},
        status=409,
    )
    other_county = await create_department(client, admin, region_code=OTHER_COUNTY)
    await act(
        client,
        county.tokens["government"],
        report["id"],
        "transfer",
        {"department_id": other_county["id"], "reason": "x"},
        status=422,
    )


async def test_reject_out_of_remit_replies_through_receipt(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    county = await setup_county(client, admin, token)
    receipt = await submit(client, region_code=TOWN, subject_name="邻居装修噪音")
    report = await find_report(client, county.tokens["committee"], receipt["receipt_code"])
    await act(
        client, county.tokens["committee"], report["id"], "reject", {"reason": "x"}, status=422
    )
    rejected = await act(
        client,
        county.tokens["committee"],
        report["id"],
        "reject",
        {"reason": "不属于安全生产举报", "public_reply": "请向 12345 反映"},
    )
    assert rejected["status"] == "rejected"
    assert rejected["closed_on"]
    await act(client, county.tokens["committee"], report["id"], "accept", status=409)
    seen = (
        await client.get(
            f"{URL}/receipt/{receipt['receipt_code']}",
            headers={"X-Receipt-Secret": receipt["receipt_secret"]},
        )
    ).json()
    assert seen["status"] == "rejected"
    assert seen["public_reply"] == "请向 12345 反映"


async def test_deadlines_extension_and_overdue_list(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    county = await setup_county(client, admin, token)
    committee = county.tokens["committee"]
    receipt = await submit(client, region_code=TOWN, subject_name="某仓库")
    report = await find_report(client, committee, receipt["receipt_code"])
    rid = report["id"]
    today = clock.today_china()
    assert report["due_on"] == (today + timedelta(days=60)).isoformat()
    await act(client, committee, rid, "extend", {"reason": "x"}, status=409)  # not accepted
    await act(client, committee, rid, "accept")

    async def overdue_ids() -> list[str]:
        page = await client.get(URL, params={"overdue": "true"}, headers=committee)
        assert page.status_code == 200, page.text
        return [r["id"] for r in page.json()["items"]]

    assert rid not in await overdue_ids()
    clock.set_offset(timedelta(days=61))
    assert rid in await overdue_ids()
    got = (await client.get(f"{URL}/{rid}", headers=committee)).json()
    assert got["overdue"] is True
    extended = await act(client, committee, rid, "extend", {"reason": "案情复杂"})
    assert extended["extended"] is True
    assert extended["due_on"] == (today + timedelta(days=90)).isoformat()
    assert extended["overdue"] is False
    assert rid not in await overdue_ids()
    again = await act(client, committee, rid, "extend", {"reason": "再延"}, status=409)
    assert again["code"] == "public_report_extension_used"
    verified = await act(
        client,
        committee,
        rid,
        "verify",
        {"finding": "false", "method": "desk_check", "note": "经查不属实"},
    )
    reply_due = date.fromisoformat(verified["reply_due_on"])
    assert reply_due == clock.today_china() + timedelta(days=10)
    clock.set_offset(timedelta(days=61 + 11))
    assert rid in await overdue_ids()  # reply late (and past the extended close deadline)
    closed = await act(client, committee, rid, "reply", {"public_reply": "经核查，举报不属实。"})
    assert closed["status"] == "closed"
    assert closed["overdue"] is False
    assert rid not in await overdue_ids()
    not_overdue = await client.get(
        URL, params={"overdue": "false", "status": "closed"}, headers=committee
    )
    assert rid in [r["id"] for r in not_overdue.json()["items"]]
    assert (await client.get(URL, params={"bogus": "1"}, headers=committee)).status_code == 422


async def test_duplicates_are_linked_not_refused(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    county = await setup_county(client, admin, token)
    committee = county.tokens["committee"]
    near = {"lat": 30.2591, "lon": 120.1301}  # ~15 m from the enterprise
    first = await submit(client, enterprise_id=county.enterprise["id"])
    second = await submit(client, enterprise_id=county.enterprise["id"], channel="web")
    nearby = await submit(client, region_code=TOWN, subject_name="厂区后门", location=near)
    far = await submit(
        client, region_code=TOWN, subject_name="别处", location={"lat": 30.30, "lon": 120.20}
    )
    r1 = await find_report(client, committee, first["receipt_code"])
    r2 = await find_report(client, committee, second["receipt_code"])
    r3 = await find_report(client, committee, nearby["receipt_code"])
    r4 = await find_report(client, committee, far["receipt_code"])
    assert r1["duplicate_of_id"] is None
    assert r2["duplicate_of_id"] == r1["id"]
    assert r3["duplicate_of_id"] == r1["id"]
    assert r4["duplicate_of_id"] is None
    # Outside the period, a new report starts a new matter.
    clock.set_offset(timedelta(days=31))
    later = await submit(client, enterprise_id=county.enterprise["id"])
    assert (await find_report(client, committee, later["receipt_code"]))["duplicate_of_id"] is None
