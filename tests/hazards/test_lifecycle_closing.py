"""Lifecycle steps 10–14 through HTTP: accept, reject acceptance, escalate, cancel, relapse."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core import clock
from tests.hazards.builders import World, add_person, in_days


async def _major_pending(world: World, production_order: str = "none") -> dict[str, Any]:
    hz = await world.major_rectifying(production_order)
    photo = await world.photo(hz["id"])
    body: dict[str, Any] = {
        "note": "完成",
        "attachment_ids": [photo],
        "assessment": {"by": "专家组", "on": in_days(0), "opinion": "治理到位"},
    }
    if production_order != "none":
        body["resumption_application"] = "申请复产"
    return await world.ok(hz, "declare-completion", body, world.enterprise_user)


async def test_accept_general(world: World) -> None:
    hz = await world.pending()
    r = await world.act(hz, "accept", {"opinion": "好"}, world.enterprise_user)
    assert r.status_code == 403
    assert r.json()["code"] == "hazard_not_self_found"
    r = await world.act(hz, "accept", {}, world.dept)
    assert r.status_code == 422  # an opinion is required
    closed = await world.ok(
        hz,
        "accept",
        {"opinion": "复查合格", "document_numbers": ["复查〔2026〕1号"]},
        world.inspector,
    )
    assert closed["status"] == "closed"
    assert closed["closed_at"]
    assert closed["acceptance"]["opinion"] == "复查合格"
    r = await world.act(hz, "accept", {"opinion": "x"}, world.dept)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_not_pending_verification"
    # self-found general: the enterprise signs off itself
    own = await world.registered("general", "immediate", source="self_inspection")
    photo = await world.photo(own["id"])
    await world.ok(own, "fix-on-spot", {"attachment_ids": [photo]}, world.enterprise_user)
    signed = await world.ok(own, "accept", {"opinion": "自查自改完成"}, world.enterprise_user)
    assert signed["status"] == "closed"


async def test_accept_major_needs_record_and_resumption(
    world: World, connection: AsyncConnection
) -> None:
    hz = await _major_pending(world, "full_stop")
    # escalation-free path: the enterprise is suspended by the dept first
    suspend = await world.client.post(
        f"/api/v1/enterprises/{world.ent_id}/suspend",
        json={"reason": "重大隐患", "document_number": "停〔2026〕1号"},
        headers=world.admin,
    )
    assert suspend.status_code == 200, suspend.text
    r = await world.act(hz, "accept", {"opinion": "合格"}, world.enterprise_user)
    assert r.status_code == 403
    assert r.json()["code"] == "hazard_not_self_found"
    r = await world.act(hz, "accept", {"opinion": "合格"}, world.dept)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_acceptance_record_required"
    body = {"opinion": "合格", "experts": ["王工", "赵工"], "accepted_on": in_days(0)}
    r = await world.act(hz, "accept", body, world.dept)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_resumption_not_approved"
    # an assigned expert may accept; an unassigned one does not even see it
    expert_id = await add_person(connection, subject="expert-wang")
    expert = world.token("expert", sub="expert-wang")
    assert (await world.act(hz, "accept", body, expert)).status_code == 404
    r = await world.act(
        hz, "assign-experts", {"expert_ids": [str(expert_id)]}, world.enterprise_user
    )
    # refused either way: the expert is not one the enterprise user can see (422) or the
    # action is not the enterprise's (403)
    assert r.status_code in (403, 422)
    await world.ok(hz, "assign-experts", {"expert_ids": [str(expert_id)]}, world.dept)
    seen = await world.client.get(f"/api/v1/hazards/{hz['id']}", headers=expert)
    assert seen.status_code == 200
    r = await world.act(
        hz,
        "escalate",
        {
            "measure": "fine",
            "grounds": "refused",
            "document_number": "x",
            "reason": "x",
            "fine_amount": "1000",
        },
        expert,
    )
    assert r.status_code == 403
    assert r.json()["code"] == "hazard_action_not_for_expert"
    closed = await world.ok(
        hz,
        "accept",
        {**body, "resumption_approved": True, "resumption_document_number": "复产〔2026〕2号"},
        expert,
    )
    assert closed["status"] == "closed"
    assert closed["acceptance"]["experts"] == ["王工", "赵工"]
    assert closed["resumption_approved_at"]
    ent = await world.client.get(f"/api/v1/enterprises/{world.ent_id}", headers=world.admin)
    assert ent.json()["status"] == "operating"
    # Closing froze the responsibility chain with the timeline event and planned a look-back.
    snapshots = await world.client.get(
        f"/api/v1/hazards/{hz['id']}/responsibility-snapshots", headers=world.admin
    )
    assert [s["reason"] for s in snapshots.json()["items"]] == ["closed"]
    events = await world.client.get(f"/api/v1/hazards/{hz['id']}/events", headers=world.admin)
    accept_event = next(e for e in events.json()["items"] if e["action"] == "accept")
    assert snapshots.json()["items"][0]["event_id"] == accept_event["id"]
    lookbacks = await world.client.get(
        "/api/v1/inspection-visits", params={"type": "lookback"}, headers=world.admin
    )
    assert [v["enterprise_id"] for v in lookbacks.json()["items"]] == [world.ent_id]


async def test_reject_acceptance(world: World) -> None:
    hz = await world.pending()
    r = await world.act(hz, "reject-acceptance", {"reason": "未整改到位"}, world.enterprise_user)
    assert r.status_code == 403
    r = await world.act(hz, "reject-acceptance", {}, world.dept)
    assert r.status_code == 422
    back = await world.ok(
        hz, "reject-acceptance", {"reason": "未整改到位", "deadline": in_days(40)}, world.dept
    )
    assert back["status"] == "rectifying"
    assert back["deadline"] == in_days(40)
    assert back["completed_at"] is None
    r = await world.act(hz, "reject-acceptance", {"reason": "x"}, world.dept)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_not_pending_verification"


def _escalation(measure: str, grounds: str = "overdue", **extra: Any) -> dict[str, Any]:
    return {
        "measure": measure,
        "grounds": grounds,
        "document_number": f"罚〔2026〕{measure}",
        "reason": "逾期未整改",
        **extra,
    }


async def test_escalate(world: World) -> None:
    hz = await world.rectifying()
    r = await world.act(hz, "escalate", _escalation("fine", fine_amount="5000"), world.dept)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_not_overdue"
    clock.set_offset(timedelta(days=31))
    r = await world.act(hz, "escalate", _escalation("fine"), world.dept)
    assert r.status_code == 422
    assert r.json()["code"] == "fine_amount_required"
    for who in (world.enterprise_user, world.inspector):
        r = await world.act(hz, "escalate", _escalation("fine", fine_amount="5000"), who)
        assert r.status_code == 403
    fined = await world.ok(hz, "escalate", _escalation("fine", fine_amount="5000.00"), world.dept)
    assert fined["status"] == "escalated"
    assert fined["fine_amount"] == "5000.00"
    r = await world.act(hz, "escalate", _escalation("closure_request"), world.dept)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_closure_needs_major"
    power = await world.ok(hz, "escalate", _escalation("power_cut_notice"), world.dept)
    assert power["escalation_measures"] == ["fine", "power_cut_notice"]
    suspended = await world.ok(hz, "escalate", _escalation("suspension", "refused"), world.dept)
    assert suspended["production_order"] == "full_stop"
    ent = await world.client.get(f"/api/v1/enterprises/{world.ent_id}", headers=world.admin)
    assert ent.json()["status"] == "suspended"
    events = await world.client.get(f"/api/v1/hazards/{hz['id']}/events", headers=world.dept)
    power_event = next(
        e for e in events.json()["items"] if e["data"].get("measure") == "power_cut_notice"
    )
    assert power_event["data"]["effective_at"]
    # the enterprise can still finish the work while escalated
    photo = await world.photo(hz["id"])
    done = await world.ok(
        hz, "declare-completion", {"note": "完成", "attachment_ids": [photo]}, world.enterprise_user
    )
    assert done["status"] == "pending_verification"
    r = await world.act(hz, "escalate", _escalation("fine", fine_amount="1"), world.dept)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_not_rectifying"


async def test_request_for_closure_needs_penalties(world: World) -> None:
    major = await world.major_rectifying()
    clock.set_offset(timedelta(days=61))
    r = await world.act(major, "escalate", _escalation("closure_request"), world.dept)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_closure_threshold_not_met"
    for _ in range(2):
        await world.ok(major, "escalate", _escalation("fine", fine_amount="10000"), world.dept)
    await world.ok(major, "escalate", _escalation("suspension"), world.dept)
    closed = await world.ok(major, "escalate", _escalation("closure_request"), world.dept)
    assert closed["escalation_measures"][-1] == "closure_request"
    ent = await world.client.get(f"/api/v1/enterprises/{world.ent_id}", headers=world.admin)
    assert ent.json()["status"] == "closed"


async def test_cancel(world: World) -> None:
    mine = await world.hazard(world.enterprise_user, source="self_inspection")
    r = await world.act(mine, "cancel", {}, world.enterprise_user)
    assert r.status_code == 422
    cancelled = await world.ok(mine, "cancel", {"reason": "重复上报"}, world.enterprise_user)
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancel_reason"] == "重复上报"
    r = await world.act(mine, "cancel", {"reason": "x"}, world.dept)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_not_open"
    theirs = await world.rectifying()
    r = await world.act(theirs, "cancel", {"reason": "x"}, world.enterprise_user)
    assert r.status_code == 403
    assert r.json()["code"] == "hazard_cancel_not_allowed"
    r = await world.act(theirs, "cancel", {"reason": "x"}, world.inspector)
    assert r.status_code == 403  # not the registrant, no cancel permission
    reported_by_inspector = await world.hazard(world.inspector)
    assert (await world.ok(reported_by_inspector, "cancel", {"reason": "误报"}, world.inspector))[
        "status"
    ] == "cancelled"
    assert (await world.ok(theirs, "cancel", {"reason": "误报"}, world.dept))[
        "status"
    ] == "cancelled"


async def test_relapse_link(world: World) -> None:
    old = await world.pending()
    new = await world.hazard(source="look_back")
    r = await world.act(new, "link-relapse", {"relapse_of_id": old["id"]}, world.inspector)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_relapse_target_not_closed"
    await world.ok(old, "accept", {"opinion": "合格"}, world.dept)
    r = await world.act(new, "link-relapse", {"relapse_of_id": old["id"]}, world.enterprise_user)
    assert r.status_code == 403
    linked = await world.ok(new, "link-relapse", {"relapse_of_id": old["id"]}, world.inspector)
    assert linked["relapse_of_id"] == old["id"]
    r = await world.act(new, "link-relapse", {"relapse_of_id": old["id"]}, world.inspector)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_relapse_already_linked"
    old_events = await world.client.get(f"/api/v1/hazards/{old['id']}/events", headers=world.dept)
    assert old_events.json()["items"][-1]["action"] == "relapse_found"
    # or directly at creation
    direct = await world.hazard(world.inspector, source="look_back", relapse_of_id=old["id"])
    assert direct["relapse_of_id"] == old["id"]
    other = await world.client.post(
        "/api/v1/hazards",
        json={
            **{k: v for k, v in direct.items() if k in ("title", "sector", "category", "source")},
            "enterprise_id": (await _other_enterprise(world))["id"],
            "relapse_of_id": old["id"],
        },
        headers=world.admin,
    )
    assert other.status_code == 409
    assert other.json()["code"] == "hazard_relapse_other_enterprise"


async def _other_enterprise(world: World) -> dict[str, Any]:
    from tests.factories import create_enterprise

    return await create_enterprise(world.client, world.admin)
