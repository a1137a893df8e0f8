"""Look-back visits with a relapse, acceptance visits, the look-back scheduled at closing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.clock import today_china
from tests.hazards.builders import World, make_world
from tests.visits.builders import add_person, complete, inspector_member, plan_visit, start

Token = Callable[..., dict[str, str]]
URL = "/api/v1/inspection-visits"


async def closed(w: World) -> dict[str, Any]:
    hz = await w.pending()
    return await w.ok(hz, "accept", {"opinion": "整改到位"}, w.dept)


async def test_lookback_held_and_relapsed(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    w = await make_world(client, token, admin)
    first, second, still_open = await closed(w), await closed(w), await w.rectifying()
    wrong = await client.post(
        URL,
        json={
            "type": "lookback",
            "enterprise_id": w.ent_id,
            "planned_on": "2026-12-01",
            "hazard_ids": [still_open["id"]],
            "members": [inspector_member()],
        },
        headers=w.dept,
    )
    assert wrong.status_code == 409
    assert wrong.json()["code"] == "lookback_hazard_status"
    visit = await plan_visit(
        client, w.dept, w.ent_id, type="lookback", hazard_ids=[first["id"], second["id"]]
    )
    assert {h["hazard_id"] for h in visit["hazards"]} == {first["id"], second["id"]}
    await start(client, w.dept, visit["id"])
    outcomes = f"{URL}/{visit['id']}/lookback-outcomes"
    held = await client.post(
        outcomes, json={"hazard_id": first["id"], "outcome": "held"}, headers=w.dept
    )
    assert held.status_code == 200
    early = await client.post(
        f"{URL}/{visit['id']}/complete",
        json={"summary": "回头看", "conclusion": "部分反弹"},
        headers=w.dept,
    )
    assert early.status_code == 409
    assert early.json()["code"] == "visit_hazards_undecided"
    assert (
        await client.post(
            outcomes,
            json={"hazard_id": second["id"], "outcome": "relapsed"},
            headers=w.enterprise_user,
        )
    ).status_code == 403
    relapsed = await client.post(
        outcomes,
        json={"hazard_id": second["id"], "outcome": "relapsed", "note": "接地线再次断裂"},
        headers=w.dept,
    )
    assert relapsed.status_code == 200, relapsed.text
    row = next(h for h in relapsed.json()["hazards"] if h["hazard_id"] == second["id"])
    assert row["outcome"] == "relapsed"
    new = (await client.get(f"/api/v1/hazards/{row['new_hazard_id']}", headers=w.dept)).json()
    assert new["relapse_of_id"] == second["id"]
    assert new["source"] == "look_back"
    assert new["visit_id"] == visit["id"]
    twice = await client.post(
        outcomes, json={"hazard_id": first["id"], "outcome": "relapsed"}, headers=w.dept
    )
    assert twice.status_code == 409
    await complete(client, w.dept, visit["id"])
    findings = (await client.get(f"{URL}/{visit['id']}/findings", headers=w.dept)).json()
    assert findings["counts"]["hazards"] == 1


async def test_acceptance_visit_drives_hazard(
    client: AsyncClient, admin: dict[str, str], token: Token, connection: AsyncConnection
) -> None:
    w = await make_world(client, token, admin)
    good, bad = await w.pending(), await w.pending()
    expert_person = await add_person(connection, subject="visit-expert", kind="expert")
    expert = token("expert", sub="visit-expert")
    visit = await plan_visit(
        client,
        w.dept,
        w.ent_id,
        type="acceptance",
        hazard_ids=[good["id"], bad["id"]],
        members=[
            inspector_member(),
            {"role": "expert", "name": "钱专家", "person_id": str(expert_person)},
        ],
    )
    assert (await client.get(f"{URL}/{visit['id']}", headers=expert)).status_code == 200
    assert (await client.get(f"{URL}/{visit['id']}", headers=token("expert"))).status_code == 404
    await start(client, w.dept, visit["id"])
    results = f"{URL}/{visit['id']}/acceptance-results"
    assert (
        await client.post(
            results, json={"hazard_id": good["id"], "result": "passed"}, headers=w.enterprise_user
        )
    ).status_code == 403
    passed = await client.post(
        results,
        json={"hazard_id": good["id"], "result": "passed", "note": "整改到位，同意销号"},
        headers=w.dept,
    )
    assert passed.status_code == 200, passed.text
    closed_hz = (await client.get(f"/api/v1/hazards/{good['id']}", headers=w.dept)).json()
    assert closed_hz["status"] == "closed"
    assert closed_hz["acceptance"]["experts"] == ["钱专家"]
    no_reason = await client.post(
        results, json={"hazard_id": bad["id"], "result": "failed"}, headers=w.dept
    )
    assert no_reason.status_code == 422
    failed = await client.post(
        results,
        json={"hazard_id": bad["id"], "result": "failed", "note": "接地电阻仍不合格"},
        headers=w.dept,
    )
    assert failed.status_code == 200
    back = (await client.get(f"/api/v1/hazards/{bad['id']}", headers=w.dept)).json()
    assert back["status"] == "rectifying"
    await complete(client, w.dept, visit["id"])


async def test_closing_major_hazard_schedules_lookback(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    w = await make_world(client, token, admin)
    major = await w.major_rectifying()
    photo = await w.photo(major["id"])
    await w.ok(
        major,
        "declare-completion",
        {
            "note": "已完成治理",
            "attachment_ids": [photo],
            "assessment": {"by": "省安科院", "on": today_china().isoformat(), "opinion": "合格"},
        },
        w.enterprise_user,
    )
    visit = await plan_visit(
        client,
        w.dept,
        w.ent_id,
        type="acceptance",
        hazard_ids=[major["id"]],
        members=[inspector_member(), {"role": "expert", "name": "孙专家"}],
    )
    await start(client, w.dept, visit["id"])
    passed = await client.post(
        f"{URL}/{visit['id']}/acceptance-results",
        json={"hazard_id": major["id"], "result": "passed", "note": "专家组验收通过"},
        headers=w.dept,
    )
    assert passed.status_code == 200, passed.text
    planned = (await client.get(URL, params={"type": "lookback"}, headers=w.dept)).json()
    assert len(planned["items"]) == 1
    lookback = planned["items"][0]
    assert lookback["status"] == "planned"
    assert lookback["hazards"][0]["hazard_id"] == major["id"]
    assert lookback["planned_on"] == (today_china() + timedelta(days=30)).isoformat()
