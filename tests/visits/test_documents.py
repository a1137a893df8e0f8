"""Enforcement documents: each kind and its effect on hazards and the unit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from httpx import AsyncClient

from tests.factories import COUNTY, OTHER_TOWN, create_enterprise
from tests.hazards.builders import World, in_days, make_world

Token = Callable[..., dict[str, str]]
URL = "/api/v1/enforcement-documents"
_n = iter(range(1, 10_000))


def doc(
    w: World, kind: str, hazards: list[dict[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "kind": kind,
        "number": f"西应急〔2026〕{next(_n)}号",
        "enterprise_id": w.ent_id,
        "issuer_name": "西湖区应急管理局",
        "issued_on": in_days(0),
        "legal_basis": "《安全生产法》第六十五条",
        "content": "责令改正",
        "hazard_ids": [h["id"] for h in hazards or []],
        **extra,
    }


async def issue(
    w: World, body: dict[str, Any], headers: dict[str, str] | None = None, status: int = 201
) -> dict[str, Any]:
    response = await w.client.post(URL, json=body, headers=headers or w.dept)
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


async def hazard(w: World, hazard_id: str) -> dict[str, Any]:
    return (await w.client.get(f"/api/v1/hazards/{hazard_id}", headers=w.admin)).json()  # type: ignore[no-any-return]


async def enterprise(w: World) -> dict[str, Any]:
    return (await w.client.get(f"/api/v1/enterprises/{w.ent_id}", headers=w.admin)).json()  # type: ignore[no-any-return]


async def test_rectification_order(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    w = await make_world(client, token, admin)
    hz = await w.registered()
    missing = await issue(w, doc(w, "rectification_order", [hz]), status=422)
    assert missing["code"] == "due_on_required"
    order = await issue(
        w, doc(w, "rectification_order", [hz], due_on=in_days(20), served_on=in_days(0))
    )
    assert order["kind"] == "rectification_order"
    after = await hazard(w, hz["id"])
    assert after["status"] == "rectifying"
    assert after["deadline"] == in_days(20)
    assert after["order_document_number"] == order["number"]
    assert after["responsible_person"]["name"] == "张三"
    again = await issue(
        w,
        doc(w, "rectification_order", [hz], due_on=in_days(20), number=order["number"]),
        status=409,
    )
    assert again["code"] == "enforcement_document_number_taken"
    # a hazard in the wrong state refuses the order, and nothing is issued
    refused = await issue(w, doc(w, "rectification_order", [hz], due_on=in_days(9)), status=409)
    assert refused["code"] == "hazard_not_registered"
    listed = (await client.get(URL, params={"hazard_id": hz["id"]}, headers=w.dept)).json()
    assert [d["id"] for d in listed["items"]] == [order["id"]]
    mine = (await client.get(URL, headers=w.enterprise_user)).json()
    assert [d["id"] for d in mine["items"]] == [order["id"]]


async def test_on_site_decision_stops_production(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    w = await make_world(client, token, admin)
    hz = await w.registered("major")
    no_order = await issue(w, doc(w, "on_site_decision", [hz]), status=422)
    assert no_order["code"] == "production_order_required"
    await issue(
        w,
        doc(
            w,
            "on_site_decision",
            [hz],
            content="立即停止储罐区作业",
            production_order="partial_stop",
        ),
    )
    after = await hazard(w, hz["id"])
    assert after["status"] == "planning"
    assert after["production_order"] == "partial_stop"
    plain = await issue(w, doc(w, "on_site_decision", content="责令撤出作业人员"))
    assert plain["hazard_ids"] == []


async def test_re_check_opinion_passes_or_fails(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    w = await make_world(client, token, admin)
    good, bad = await w.pending(), await w.pending()
    no_outcome = await issue(w, doc(w, "re_check_opinion", [good]), status=422)
    assert no_outcome["code"] == "outcome_required"
    await issue(w, doc(w, "re_check_opinion", [good], outcome="passed", content="整改到位"))
    assert (await hazard(w, good["id"]))["status"] == "closed"
    await issue(w, doc(w, "re_check_opinion", [bad], outcome="failed", content="接地电阻仍超标"))
    assert (await hazard(w, bad["id"]))["status"] == "rectifying"


async def test_penalty_suspension_and_closure(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    w = await make_world(client, token, admin)
    hz = await w.rectifying()
    no_amount = await issue(w, doc(w, "penalty_decision", [hz], grounds="refused"), status=422)
    assert no_amount["code"] == "amount_required"
    no_grounds = await issue(w, doc(w, "penalty_decision", [hz], amount="20000"), status=422)
    assert no_grounds["code"] == "grounds_required"
    fine = await issue(w, doc(w, "penalty_decision", [hz], amount="20000", grounds="refused"))
    assert fine["amount"] == "20000.00"
    after = await hazard(w, hz["id"])
    assert after["status"] == "escalated"
    assert after["fine_amount"] == "20000.00"
    unlinked = await issue(w, doc(w, "penalty_decision", amount="5000"))
    assert unlinked["hazard_ids"] == []
    suspended = await issue(w, doc(w, "suspension_decision", [hz], grounds="refused"))
    assert suspended["kind"] == "suspension_decision"
    assert (await enterprise(w))["status"] == "suspended"
    assert (await hazard(w, hz["id"]))["production_order"] == "full_stop"


async def test_suspension_without_hazards_and_closure_request(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    w = await make_world(client, token, admin)
    await issue(w, doc(w, "suspension_decision", content="存在重大事故隐患，责令停产停业整顿"))
    assert (await enterprise(w))["status"] == "suspended"
    again = await issue(w, doc(w, "suspension_decision"), status=409)
    assert again["code"] == "enterprise_status_transition"
    w2 = await make_world(client, token, admin)
    major = await w2.major_rectifying()
    early = await issue(w2, doc(w2, "closure_request", [major], grounds="refused"), status=409)
    assert early["code"] == "hazard_closure_threshold_not_met"
    for _ in range(3):
        await issue(w2, doc(w2, "penalty_decision", [major], amount="10000", grounds="refused"))
    await issue(
        w2, doc(w2, "closure_request", [major], grounds="refused", content="提请县人民政府予以关闭")
    )
    assert (await enterprise(w2))["status"] == "closed"


async def test_listing_notice_lists_the_hazard(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    w = await make_world(client, token, admin)
    hz = await w.planning()
    no_level = await issue(w, doc(w, "listing_notice", [hz]), status=422)
    assert no_level["code"] == "listing_level_required"
    denied = await issue(
        w, doc(w, "listing_notice", [hz], listing_level="county"), headers=w.inspector, status=403
    )
    assert denied["code"] == "permission_denied"
    office = token("committee_office", region_code=COUNTY)
    await issue(
        w,
        doc(
            w,
            "listing_notice",
            [hz],
            listing_level="county",
            due_on=in_days(15),
            issuer_name="西湖区安委办",
        ),
        headers=office,
    )
    twice = await issue(w, doc(w, "listing_notice", [hz], listing_level="city"), status=409)
    assert twice["code"] == "hazard_already_listed"
    listing = (await hazard(w, hz["id"]))["listing"]
    assert listing["level"] == "county"
    assert listing["issuing_unit"] == "西湖区安委办"


async def test_document_roles_and_scope(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    w = await make_world(client, token, admin)
    body = doc(w, "on_site_decision", content="责令撤出作业人员")
    assert (await client.post(URL, json=body, headers=w.enterprise_user)).status_code == 403
    assert (await client.post(URL, json=body, headers=token("expert"))).status_code == 403
    assert (await client.post(URL, json=body)).status_code == 401
    far = await create_enterprise(client, admin, region_code=OTHER_TOWN)
    out = await client.post(URL, json={**body, "enterprise_id": far["id"]}, headers=w.dept)
    assert out.status_code == 422
    assert out.json()["code"] == "reference_not_found"
    other = await make_world(client, token, admin)
    foreign = await other.registered()
    wrong = await issue(w, doc(w, "rectification_order", [foreign], due_on=in_days(5)), status=422)
    assert wrong["code"] == "hazard_not_found"
    made = await issue(
        w, {**body, "id": "01938a4e-2222-7000-8000-000000000001"}, headers=w.inspector
    )
    same = await client.post(URL, json={**body, "id": made["id"]}, headers=w.inspector)
    assert same.status_code == 200
    served = await client.post(
        f"{URL}/{made['id']}/serve",
        json={"served_on": in_days(1)},
        headers={**w.dept, "If-Match": '"1"'},
    )
    assert served.status_code == 200
    assert served.json()["served_on"] == in_days(1)
    twice = await client.post(
        f"{URL}/{made['id']}/serve", json={"served_on": in_days(1)}, headers=w.dept
    )
    assert twice.status_code == 409
    outsider = await client.get(f"{URL}/{made['id']}", headers=other.enterprise_user)
    assert outsider.status_code == 404
    unknown = await client.get(URL, params={"colour": "red"}, headers=w.dept)
    assert unknown.status_code == 422
