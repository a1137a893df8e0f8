"""The planned look-back visit gets its team, and a relapse it finds reaches the event feed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.clock import today_china
from tests.events.builders import all_events
from tests.hazards.builders import World, make_world, plan_body
from tests.visits.builders import add_person, inspector_member, plan_visit, start

Token = Callable[..., dict[str, str]]
URL = "/api/v1/inspection-visits"


async def _close_major(w: World, *, via_visit: bool = True, **overrides: Any) -> dict[str, Any]:
    """A major hazard treated and closed, through an acceptance visit or the accept action."""
    hz = await w.planning(**overrides)
    hz = await w.ok(hz, "submit-plan", plan_body(), w.enterprise_user)
    await w.ok(
        hz,
        "declare-completion",
        {
            "note": "已完成治理",
            "attachment_ids": [await w.photo(hz["id"])],
            "assessment": {"by": "省安科院", "on": today_china().isoformat(), "opinion": "合格"},
        },
        w.enterprise_user,
    )
    if not via_visit:
        body = {"opinion": "验收通过", "experts": ["孙专家"]}
        return await w.ok(hz, "accept", body, w.dept)
    acceptance = await plan_visit(
        w.client,
        w.dept,
        w.ent_id,
        type="acceptance",
        hazard_ids=[hz["id"]],
        members=[inspector_member("钱验收"), {"role": "expert", "name": "孙专家"}],
    )
    await start(w.client, w.dept, acceptance["id"])
    passed = await w.client.post(
        f"{URL}/{acceptance['id']}/acceptance-results",
        json={"hazard_id": hz["id"], "result": "passed", "note": "专家组验收通过"},
        headers=w.dept,
    )
    assert passed.status_code == 200, passed.text
    return hz


async def _lookback_of(w: World, hazard_id: str) -> dict[str, Any]:
    page = await w.client.get(URL, params={"type": "lookback"}, headers=w.admin)
    visits = [v for v in page.json()["items"] if v["hazards"][0]["hazard_id"] == hazard_id]
    assert len(visits) == 1
    return visits[0]  # type: ignore[no-any-return]


async def test_lookback_team_from_the_finding_visit_and_relapse_in_the_feed(
    client: AsyncClient, admin: dict[str, str], token: Token, connection: AsyncConnection
) -> None:
    w = await make_world(client, token, admin)
    lead = w.department["id"]
    person = await add_person(connection, subject="insp-wang", department_id=lead)
    found = await plan_visit(
        client,
        w.dept,
        w.ent_id,
        lead_department_id=lead,
        members=[
            inspector_member("王检查", person),
            {**inspector_member("赵检查"), "certificate_number": "2"},
        ],
    )
    await start(client, w.dept, found["id"])
    major = await _close_major(w, visit_id=found["id"])

    lookback = await _lookback_of(w, major["id"])
    assert lookback["lead_department_id"] == lead
    team = [(m["name"], m["person_id"], m["role"]) for m in lookback["members"]]
    assert team == [("王检查", str(person), "inspector"), ("赵检查", None, "inspector")]

    # the team can start it at once, and a relapse reaches the feed
    await start(client, w.dept, lookback["id"])
    relapsed = await client.post(
        f"{URL}/{lookback['id']}/lookback-outcomes",
        json={"hazard_id": major["id"], "outcome": "relapsed", "note": "接地线再次断裂"},
        headers=w.dept,
    )
    assert relapsed.status_code == 200, relapsed.text
    new_id = next(
        h["new_hazard_id"] for h in relapsed.json()["hazards"] if h["hazard_id"] == major["id"]
    )
    events = await all_events(client, admin)
    found_events = [e for e in events if e["type"] == "gov.anjian.hazard.relapse_found"]
    assert [e["subject"] for e in found_events] == [f"hazard/{major['id']}"]
    assert found_events[0]["data"]["relapse_id"] == new_id
    assert found_events[0]["data"]["visit_id"] == lookback["id"]
    created = next(
        e
        for e in events
        if e["type"] == "gov.anjian.hazard.created" and e["subject"] == f"hazard/{new_id}"
    )
    assert created["data"]["relapse_of_id"] == major["id"]
    timeline = await client.get(f"/api/v1/hazards/{major['id']}/events", headers=admin)
    assert "relapse_found" in [e["action"] for e in timeline.json()["items"]]


async def test_lookback_team_from_the_supervising_department(
    client: AsyncClient, admin: dict[str, str], token: Token, connection: AsyncConnection
) -> None:
    w = await make_world(client, token, admin)
    dept = w.department["id"]
    for subject, name in (("insp-b", "乙检查"), ("insp-a", "甲检查"), ("insp-c", "丙检查")):
        await add_person(connection, subject=subject, name=name, department_id=dept)
    # the person rows have no certificate yet: only certified inspectors are taken
    await connection.exec_driver_sql(
        "UPDATE person SET certificate_number = 'C-' || subject "
        "WHERE subject IN ('insp-a', 'insp-b')"
    )
    major = await _close_major(w, via_visit=False)
    lookback = await _lookback_of(w, major["id"])
    assert lookback["lead_department_id"] == dept
    assert sorted(m["name"] for m in lookback["members"]) == ["乙检查", "甲检查"]
    assert all(m["certificate_number"] for m in lookback["members"])


async def test_starting_without_inspectors_says_how_to_add_them(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    w = await make_world(client, token, admin)
    visit = await plan_visit(client, w.dept, w.ent_id, members=[])
    for lang, words in (("en", "PATCH"), ("zh-CN", "members")):
        r = await client.post(
            f"{URL}/{visit['id']}/start",
            json={"location": {"lat": 30.259, "lon": 120.13}},
            headers={**w.dept, "Accept-Language": lang},
        )
        assert r.status_code == 409
        assert r.json()["code"] == "visit_inspectors_required"
        assert words in r.json()["detail"]
        assert visit["id"] in r.json()["detail"]
    assert "添加检查人员" in r.json()["detail"]
