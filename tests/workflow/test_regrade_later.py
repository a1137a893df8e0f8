"""Re-grading later: a general hazard found major during rectification goes the major way."""

from __future__ import annotations

from collections.abc import Callable

from httpx import AsyncClient

from tests.events.builders import all_events
from tests.hazards.builders import in_days, make_world, plan_body

Token = Callable[..., dict[str, str]]
BODY = {"reason": "整改中发现储罐区未设置紧急切断装置", "expert_note": "专家组认定为重大事故隐患"}


async def test_general_hazard_regraded_major_while_rectifying(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    w = await make_world(client, token, admin)
    hz = await w.rectifying()  # general, by deadline, ordered: deadline in 30 days
    deadline = hz["deadline"]

    refused = await w.act(hz, "regrade-major", BODY, w.enterprise_user)
    assert refused.status_code == 403
    bare = await w.act(hz, "regrade-major", {"reason": "x"}, w.dept)
    assert bare.status_code == 409
    assert bare.json()["code"] == "hazard_major_needs_criteria"
    stop = await w.act(hz, "regrade-major", {**BODY, "production_order": "full_stop"}, w.dept)
    assert stop.status_code == 422
    assert stop.json()["code"] == "production_order_document_required"

    major = await w.ok(hz, "regrade-major", BODY, w.dept)
    assert (major["level"], major["status"], major["treatment_type"]) == (
        "major",
        "planning",
        "by_deadline",
    )
    assert major["deadline"] == deadline  # in force until the plan's deadline replaces it
    assert major["expert_note"] == BODY["expert_note"]

    timeline = (await client.get(f"/api/v1/hazards/{hz['id']}/events", headers=admin)).json()
    step = timeline["items"][-1]
    assert (step["action"], step["from_status"], step["to_status"]) == (
        "regrade_major",
        "rectifying",
        "planning",
    )
    assert step["data"]["previous_level"] == "general"
    assert step["data"]["reason"] == BODY["reason"]
    events = [
        e
        for e in await all_events(client, admin)
        if e["subject"] == f"hazard/{hz['id']}" and e["type"].endswith("regraded_major")
    ]
    assert len(events) == 1
    assert events[0]["data"]["level"] == "major"

    # once is enough; and a registered hazard is re-graded with `regrade` instead
    again = await w.act(hz, "regrade-major", BODY, w.dept)
    assert again.status_code == 409
    assert again.json()["code"] == "hazard_not_in_rectification"
    registered = await w.registered()
    early = await w.act(registered, "regrade-major", BODY, w.dept)
    assert early.json()["code"] == "hazard_not_in_rectification"

    # the major path: listable now, then the six-element plan sets the new deadline
    listed = await w.ok(
        major,
        "list",
        {"level": "county", "issuing_unit": "西湖区安委办", "notice_number": "西安委督〔2026〕3号"},
        w.dept,
    )
    assert listed["listing"]["level"] == "county"
    planned = await w.ok(major, "submit-plan", plan_body(deadline=in_days(90)), w.enterprise_user)
    assert planned["status"] == "rectifying"
    assert planned["deadline"] == in_days(90)
    versions = (await client.get(f"/api/v1/hazards/{hz['id']}/deadlines", headers=admin)).json()
    assert [v["deadline"] for v in versions["items"]][-2:] == [deadline, in_days(90)]


async def test_regrade_withdraws_a_pending_extension(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    w = await make_world(client, token, admin)
    hz = await w.rectifying()
    asked = await w.ok(
        hz,
        "request-extension",
        {"requested_deadline": in_days(45), "reason": "设备到货延迟"},
        w.enterprise_user,
    )
    assert asked["status"] == "extension_requested"
    major = await w.ok(hz, "regrade-major", BODY, w.dept)
    assert major["status"] == "planning"
    assert major["extension_requested_deadline"] is None
    zh = await w.act(hz, "approve-extension", {}, {**w.dept, "Accept-Language": "zh-CN"})
    assert zh.status_code == 409
    assert "编制治理方案" in zh.json()["detail"] or "planning" in zh.json()["detail"]
