"""Lifecycle steps 6–9 through HTTP: plan, progress, extensions, completion."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.core import clock
from tests.hazards.builders import World, in_days, plan_body


async def test_submit_plan_needs_all_six_elements(world: World) -> None:
    hz = await world.planning()
    partial = {"plan_goals_tasks": "目标", "plan_methods_measures": "方法", "deadline": in_days(60)}
    r = await world.act(hz, "submit-plan", partial, world.enterprise_user)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_plan_incomplete"
    assert "plan_safety_emergency" in r.json()["detail"]
    # the draft is saved with PATCH while planning, then submitted
    draft = await world.client.patch(
        f"/api/v1/hazards/{hz['id']}",
        json={k: v for k, v in plan_body().items() if k != "deadline"},
        headers=world.enterprise_user,
    )
    assert draft.status_code == 200, draft.text
    r = await world.act(hz, "submit-plan", {}, world.enterprise_user)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_deadline_required"
    done = await world.ok(hz, "submit-plan", {"deadline": in_days(60)}, world.enterprise_user)
    assert done["status"] == "rectifying"
    assert done["plan_submitted_at"]
    assert done["deadline"] == in_days(60)
    r = await world.act(hz, "submit-plan", plan_body(), world.enterprise_user)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_not_planning"
    r = await world.client.patch(
        f"/api/v1/hazards/{hz['id']}", json={"plan_goals_tasks": "x"}, headers=world.enterprise_user
    )
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_not_planning"
    # a general hazard never plans
    general = await world.rectifying()
    r = await world.act(general, "submit-plan", plan_body())
    assert r.json()["code"] == "hazard_not_planning"


async def test_progress_report(world: World) -> None:
    hz = await world.major_rectifying()
    r = await world.act(hz, "report-progress", {}, world.enterprise_user)
    assert r.status_code == 422
    photo = await world.photo(hz["id"], "document")
    progressed = await world.ok(
        hz,
        "report-progress",
        {"comment": "已完成 50%", "attachment_ids": [photo]},
        world.enterprise_user,
    )
    assert progressed["status"] == "rectifying"
    assert progressed["last_progress_at"]
    assert progressed["version"] == hz["version"] + 1
    planning = await world.planning()
    r = await world.act(planning, "report-progress", {"comment": "x"}, world.enterprise_user)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_not_rectifying"


async def test_a_step_answers_what_it_stored(world: World) -> None:
    """A step's UPDATE (built per set of changed columns, not by the unit of work) stores what
    the step answers, bumps the version once and keeps If-Match working on the next step."""
    hz = await world.rectifying()
    first = await world.act(hz, "report-progress", {"comment": "一"}, if_match=hz["version"])
    assert first.status_code == 200, first.text
    stored = await world.client.get(f"/api/v1/hazards/{hz['id']}", headers=world.admin)
    assert stored.json() == first.json()
    assert stored.headers["etag"] == first.headers["etag"] == f'"{hz["version"] + 1}"'
    stale = await world.act(hz, "report-progress", {"comment": "二"}, if_match=hz["version"])
    assert stale.status_code == 412
    second = await world.act(hz, "report-progress", {"comment": "二"}, if_match=hz["version"] + 1)
    assert second.status_code == 200, second.text
    assert second.json()["version"] == hz["version"] + 2
    assert second.json()["last_progress_at"] > first.json()["last_progress_at"]
    events = await world.client.get(f"/api/v1/hazards/{hz['id']}/events", headers=world.admin)
    versions = [e["hazard_version"] for e in events.json()["items"][-2:]]
    assert versions == [hz["version"] + 1, hz["version"] + 2]


async def test_extension_request_approve_reject(world: World) -> None:
    hz = await world.rectifying()  # deadline in 30 days; lead time 10 days
    r = await world.act(
        hz,
        "request-extension",
        {"requested_deadline": in_days(20), "reason": "x"},
        world.enterprise_user,
    )
    assert r.status_code == 422
    assert r.json()["code"] == "extension_not_later"
    asked = await world.ok(
        hz,
        "request-extension",
        {"requested_deadline": in_days(45), "reason": "设备到货延迟"},
        world.enterprise_user,
    )
    assert asked["status"] == "extension_requested"
    assert asked["extension_requested_deadline"] == in_days(45)
    r = await world.act(
        hz,
        "request-extension",
        {"requested_deadline": in_days(50), "reason": "x"},
        world.enterprise_user,
    )
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_not_rectifying"
    r = await world.act(hz, "approve-extension", {}, world.enterprise_user)
    assert r.status_code == 403
    r = await world.act(hz, "approve-extension", {}, world.inspector)
    assert r.status_code == 403  # inspectors do not decide
    approved = await world.ok(hz, "approve-extension", {"comment": "同意"}, world.dept)
    assert approved["status"] == "rectifying"
    assert approved["deadline"] == in_days(45)
    history = await world.client.get(
        f"/api/v1/hazards/{hz['id']}/deadlines", headers=world.enterprise_user
    )
    items = history.json()["items"]
    assert [(d["deadline"], d["reason"]) for d in items] == [
        (in_days(30), "order"),
        (in_days(45), "extension"),
    ]
    assert items[1]["previous_deadline"] == in_days(30)
    r = await world.act(hz, "approve-extension", {}, world.dept)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_no_extension_requested"
    # reject keeps the deadline
    await world.ok(
        hz,
        "request-extension",
        {"requested_deadline": in_days(60), "reason": "再延"},
        world.enterprise_user,
    )
    r = await world.act(hz, "reject-extension", {}, world.dept)
    assert r.status_code == 422  # a reason is required
    rejected = await world.ok(hz, "reject-extension", {"reason": "理由不充分"}, world.dept)
    assert rejected["status"] == "rectifying"
    assert rejected["deadline"] == in_days(45)
    # too late: within the lead time before the deadline
    clock.set_offset(timedelta(days=40))
    r = await world.act(
        hz,
        "request-extension",
        {"requested_deadline": in_days(30), "reason": "x"},
        world.enterprise_user,
    )
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_extension_too_late"


async def test_declare_completion_evidence(world: World) -> None:
    hz = await world.rectifying()
    r = await world.act(hz, "declare-completion", {"note": "完成"}, world.enterprise_user)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_evidence_required"
    photo = await world.photo(hz["id"])
    done = await world.ok(
        hz, "declare-completion", {"note": "完成", "attachment_ids": [photo]}, world.enterprise_user
    )
    assert done["status"] == "pending_verification"
    r = await world.act(
        hz, "declare-completion", {"note": "完成", "attachment_ids": [photo]}, world.enterprise_user
    )
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_not_rectifying"
    major = await world.major_rectifying("full_stop")
    evidence = await world.photo(major["id"])
    body: dict[str, Any] = {"note": "完成", "attachment_ids": [evidence]}
    r = await world.act(major, "declare-completion", body, world.enterprise_user)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_assessment_required"
    body["assessment"] = {"by": "浙江某安全评价公司", "on": in_days(0), "opinion": "已消除"}
    r = await world.act(major, "declare-completion", body, world.enterprise_user)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_resumption_application_required"
    body["resumption_application"] = "申请复产"
    done = await world.ok(major, "declare-completion", body, world.enterprise_user)
    assert done["status"] == "pending_verification"
    assert done["assessment"]["by"] == "浙江某安全评价公司"
