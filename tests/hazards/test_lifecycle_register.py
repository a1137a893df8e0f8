"""Lifecycle steps 1–5 through HTTP: report, register/re-grade, fix on the spot, order, major."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from tests.hazards.builders import JPEG, World, a_clause, in_days, order_body


async def test_register_general_and_major_rules(world: World, connection: AsyncConnection) -> None:
    hz = await world.hazard()
    assert hz["status"] == "reported"
    # general needs a treatment type (422); major needs clauses or an expert note (409)
    r = await world.act(hz, "register", {"level": "general"}, world.dept)
    assert r.status_code == 422
    assert r.json()["code"] == "treatment_type_required"
    r = await world.act(hz, "register", {"level": "major"}, world.dept)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_major_needs_criteria"
    r = await world.act(
        hz,
        "register",
        {"level": "major", "treatment_type": "immediate", "expert_note": "x"},
        world.dept,
    )
    assert r.json()["code"] == "hazard_major_not_immediate"
    clause = await a_clause(connection)
    assert clause, "the reference seed has criteria clauses (a_clause found none)"
    r = await world.act(
        hz,
        "register",
        {"level": "general", "treatment_type": "immediate", "criteria_clause_ids": [clause]},
        world.dept,
    )
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_criteria_make_major"
    major = await world.ok(
        hz, "register", {"level": "major", "criteria_clause_ids": [clause]}, world.dept
    )
    assert major["level"] == "major"
    assert major["treatment_type"] == "by_deadline"
    assert major["status"] == "registered"
    r = await world.act(hz, "register", {"level": "major", "expert_note": "x"}, world.dept)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_not_reported"
    unknown = await world.act(
        await world.hazard(),
        "register",
        {"level": "major", "criteria_clause_ids": [hz["id"]]},
        world.dept,
    )
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "reference_not_found"


async def test_register_who_and_if_match(world: World) -> None:
    hz = await world.hazard()
    body = {"level": "general", "treatment_type": "by_deadline"}
    # an enterprise registers only what it found itself
    r = await world.act(hz, "register", body, world.enterprise_user)
    assert r.status_code == 403
    assert r.json()["code"] == "hazard_not_self_found"
    own = await world.hazard(world.enterprise_user, source="self_inspection")
    assert (await world.ok(own, "register", body, world.enterprise_user))["status"] == "registered"
    # an expert never registers (and sees nothing unassigned: 404)
    expert = world.token("expert")
    assert (await world.act(hz, "register", body, expert)).status_code == 404
    stale = await world.act(hz, "register", body, world.dept, if_match=7)
    assert stale.status_code == 412
    done = await world.act(hz, "register", body, world.inspector, if_match=1)
    assert done.status_code == 200
    assert done.headers["etag"] == '"2"'
    # re-grade: departments only
    r = await world.act(
        hz, "regrade", {"level": "major", "expert_note": "复核"}, world.enterprise_user
    )
    assert r.status_code == 403
    assert r.json()["code"] == "hazard_action_not_for_enterprise"
    regraded = await world.ok(hz, "regrade", {"level": "major", "expert_note": "复核"}, world.dept)
    assert regraded["level"] == "major"
    assert regraded["status"] == "registered"
    r = await world.act(await world.hazard(), "regrade", {"level": "major", "expert_note": "x"})
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_not_registered"


async def test_fix_on_spot_needs_after_photo(world: World) -> None:
    hz = await world.registered("general", "immediate")
    r = await world.act(hz, "fix-on-spot", {"comment": "现场整改"}, world.enterprise_user)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_after_photo_required"
    before = await world.photo(hz["id"], "before")
    r = await world.act(hz, "fix-on-spot", {"attachment_ids": [before]}, world.enterprise_user)
    assert r.json()["code"] == "hazard_after_photo_required"
    other = await world.hazard()
    foreign = await world.photo(other["id"])
    r = await world.act(hz, "fix-on-spot", {"attachment_ids": [foreign]}, world.enterprise_user)
    assert r.status_code == 422
    assert r.json()["code"] == "attachment_unknown"
    pdf = await world.upload(
        hz["id"], purpose="after", data=b"%PDF-1.4\n" + b"0" * 40, filename="a.pdf"
    )
    r = await world.act(hz, "fix-on-spot", {"attachment_ids": [pdf.json()["id"]]})
    assert r.json()["code"] == "hazard_after_photo_required"  # a photo, not a document
    after = await world.upload(hz["id"], purpose="after", data=JPEG, filename="after.jpg")
    fixed = await world.ok(
        hz,
        "fix-on-spot",
        {"attachment_ids": [before, after.json()["id"]], "measures": "已更换"},
        world.enterprise_user,
    )
    assert fixed["status"] == "pending_verification"
    assert fixed["completed_at"]
    deadline_hz = await world.registered("general", "by_deadline")
    photo = await world.photo(deadline_hz["id"])
    r = await world.act(deadline_hz, "fix-on-spot", {"attachment_ids": [photo]})
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_not_general_immediate"


async def test_order_rectification(world: World) -> None:
    hz = await world.registered()
    r = await world.act(
        hz, "order-rectification", order_body(order_document_number=None), world.dept
    )
    assert r.status_code == 422
    assert r.json()["code"] == "order_document_number_required"
    r = await world.act(hz, "order-rectification", order_body(deadline=in_days(-1)), world.dept)
    assert r.status_code == 422
    assert r.json()["code"] == "date_in_past"
    r = await world.act(hz, "order-rectification", order_body(), world.enterprise_user)
    assert r.status_code == 403
    assert r.json()["code"] == "hazard_not_self_found"
    ordered = await world.ok(hz, "order-rectification", order_body(), world.dept)
    assert ordered["status"] == "rectifying"
    assert ordered["deadline"] == in_days(30)
    assert ordered["order_document_number"] == "西应急责改〔2026〕12号"
    assert ordered["order_department_id"] == world.department["id"]
    again = await world.act(hz, "order-rectification", order_body(), world.dept)
    assert again.status_code == 409
    assert again.json()["code"] == "hazard_not_registered"
    deadlines = await world.client.get(f"/api/v1/hazards/{hz['id']}/deadlines", headers=world.dept)
    assert [d["deadline"] for d in deadlines.json()["items"]] == [in_days(30)]
    # an enterprise sets an internal deadline on what it found itself (no order document)
    own = await world.registered(source="self_inspection")
    internal = await world.ok(
        own, "order-rectification", order_body(order_document_number=None), world.enterprise_user
    )
    assert internal["status"] == "rectifying"
    assert internal["order_document_number"] is None
    major = await world.registered("major")
    r = await world.act(major, "order-rectification", order_body(), world.dept)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_not_general_by_deadline"


async def test_report_major_and_listing(world: World) -> None:
    general = await world.registered()
    r = await world.act(general, "report-major", {}, world.enterprise_user)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_not_major"
    major = await world.registered("major")
    r = await world.act(
        major, "report-major", {"production_order": "full_stop"}, world.enterprise_user
    )
    assert r.status_code == 422
    assert r.json()["code"] == "production_order_document_required"
    planning = await world.ok(
        major,
        "report-major",
        {
            "production_order": "partial_stop",
            "production_order_document": "西应急停〔2026〕3号",
            "comment": "立即报告",
        },
        world.enterprise_user,
    )
    assert planning["status"] == "planning"
    assert planning["production_order"] == "partial_stop"
    listing = {
        "level": "county",
        "issuing_unit": "西湖区安委办",
        "notice_number": "西安委督〔2026〕1号",
        "plan_due_on": in_days(20),
    }
    r = await world.act(major, "list", listing, world.enterprise_user)
    assert r.status_code == 403
    r = await world.act(major, "list", listing, world.inspector)
    assert r.status_code == 403
    assert r.json()["code"] == "permission_denied"
    listed = await world.ok(major, "list", listing, world.dept)
    assert listed["status"] == "planning"
    assert listed["listing"]["level"] == "county"
    assert listed["listing"]["progress_interval_days"]
    r = await world.act(major, "list", listing, world.dept)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_already_listed"
    rect = await world.rectifying()
    r = await world.act(rect, "list", listing, world.dept)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_not_major"
    reported = await world.hazard()
    r = await world.act(reported, "list", listing, world.dept)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_not_in_treatment"
    page = await world.client.get("/api/v1/hazards", params={"listed": "true"}, headers=world.dept)
    assert [h["id"] for h in page.json()["items"]] == [major["id"]]
    unlisted = await world.client.get(
        "/api/v1/hazards", params={"listed": "false"}, headers=world.dept
    )
    assert major["id"] not in {h["id"] for h in unlisted.json()["items"]}
