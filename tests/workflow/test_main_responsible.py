"""One truth about who is responsible: the enterprise record's main responsible person mirrors
the responsibility chain, and a rectification order names the holder at the document's date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from httpx import AsyncClient

from app.core.clock import utcnow
from tests.events.builders import all_events
from tests.hazards.builders import in_days, make_world
from tests.responsibility.builders import assign, staff

Token = Callable[..., dict[str, str]]
ENT = "/api/v1/enterprises"
RA = "/api/v1/responsibility-assignments"


async def _order(w: Any, hz: dict[str, Any], number: str, issued_on: str) -> dict[str, Any]:
    body = {
        "kind": "rectification_order",
        "number": number,
        "enterprise_id": w.ent_id,
        "issuer_name": "西湖区应急管理局",
        "issued_on": issued_on,
        "legal_basis": "《安全生产法》第六十五条",
        "content": "责令改正",
        "due_on": in_days(20),
        "hazard_ids": [hz["id"]],
    }
    r = await w.client.post("/api/v1/enforcement-documents", json=body, headers=w.dept)
    assert r.status_code == 201, r.text
    hazard = await w.client.get(f"/api/v1/hazards/{hz['id']}", headers=w.admin)
    return hazard.json()  # type: ignore[no-any-return]


async def test_record_follows_the_chain_and_documents_take_the_holder_at_their_date(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    w = await make_world(client, token, admin)
    url = f"{ENT}/{w.ent_id}"
    declared = (await client.get(url, headers=admin)).json()["main_responsible_person"]
    assert declared["name"] == "张三"
    assert declared["assignment_id"] is None

    old = await staff(client, admin, w.ent_id, "王五")
    new = await staff(client, admin, w.ent_id, "赵六")
    start = utcnow() - timedelta(days=200)
    first = await assign(
        client,
        admin,
        "enterprise_main_responsible",
        holder_person_id=old["id"],
        object_type="enterprise",
        object_enterprise_id=w.ent_id,
        valid_from=start,
    )
    ent = (await client.get(url, headers=admin)).json()
    assert ent["main_responsible_person"]["name"] == "王五"
    assert ent["main_responsible_person"]["person_id"] == old["id"]
    assert ent["main_responsible_person"]["assignment_id"] == first["id"]

    # the record no longer takes a name of its own
    refused = await client.patch(
        url, json={"main_responsible_person": {"name": "张三"}}, headers=admin
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "main_responsible_person_from_assignment"
    zh = await client.patch(
        url,
        json={"main_responsible_person": {"name": "张三"}},
        headers={**admin, "Accept-Language": "zh-CN"},
    )
    assert "责任分工" in zh.json()["detail"]

    handed = await client.post(
        f"{RA}/{first['id']}/hand-over",
        json={
            "reason": "工作调动",
            "holder_person_id": new["id"],
            "at": (utcnow() - timedelta(days=10)).isoformat(),
        },
        headers=admin,
    )
    assert handed.status_code == 200, handed.text
    ent = (await client.get(url, headers=admin)).json()
    assert ent["main_responsible_person"]["name"] == "赵六"
    assert ent["main_responsible_person"]["assignment_id"] == handed.json()["started"]["id"]
    # the change reached the feed as an enterprise event
    feed = await all_events(client, admin)
    updates = [
        e
        for e in feed
        if e["type"].endswith("enterprise.updated") and e["subject"].endswith(w.ent_id)
    ]
    assert updates
    assert "main_responsible_person" in updates[-1]["data"]["changed"]

    # a rectification order without a person: today's names the new head, an order dated
    # before the hand-over the former one
    today = await _order(w, await w.registered(), "西应急责改〔2026〕901号", in_days(0))
    assert today["responsible_person"]["name"] == "赵六"
    earlier = await _order(w, await w.registered(), "西应急责改〔2026〕902号", in_days(-30))
    assert earlier["responsible_person"]["name"] == "王五"

    # the holder's phone changes: the record follows
    person = await client.get(f"/api/v1/people/{new['id']}", headers=admin)
    changed = await client.patch(
        f"/api/v1/people/{new['id']}",
        json={"phone": "13900001111"},
        headers={**admin, "If-Match": person.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.text
    ent = (await client.get(url, headers=admin)).json()
    assert ent["main_responsible_person"]["phone"] == "13900001111"

    # the seat ends without a successor: the record says nobody (and the gap report lists it)
    ended = await client.post(
        f"{RA}/{handed.json()['started']['id']}/end", json={"reason": "离职"}, headers=admin
    )
    assert ended.status_code == 200, ended.text
    assert (await client.get(url, headers=admin)).json()["main_responsible_person"] is None
    gaps = await client.get(
        "/api/v1/responsibility-gaps?kind=enterprise_without_main_responsible", headers=admin
    )
    listed = [g["enterprise_id"] for g in gaps.json()["enterprises_without_main_responsible"]]
    assert w.ent_id in listed
