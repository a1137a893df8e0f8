"""Checklist results, the failed-item → hazard path, findings, and the on-site record."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.visits.builders import (
    add_person,
    complete,
    inspector_member,
    plan_visit,
    setup_unit,
    start,
    visit_file,
)

Token = Callable[..., dict[str, str]]
URL = "/api/v1/inspection-visits"


async def _items(
    client: AsyncClient, headers: dict[str, str], visit: dict[str, Any]
) -> dict[str, str]:
    template = await client.get(
        f"/api/v1/checklist-templates/{visit['checklist_template_id']}", headers=headers
    )
    assert template.status_code == 200
    return {i["code"]: i["id"] for i in template.json()["items"]}


async def test_failed_item_raises_hazard(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    u = await setup_unit(client, admin, token)
    official = u["official"]
    visit = await plan_visit(client, official, u["ent"]["id"])
    items = await _items(client, official, visit)
    early = await client.put(
        f"{URL}/{visit['id']}/results/{items['HAZ-01']}", json={"result": "pass"}, headers=official
    )
    assert early.status_code == 409
    assert early.json()["code"] == "visit_not_in_progress"
    await start(client, official, visit["id"])
    base = f"{URL}/{visit['id']}/results"
    passed = await client.put(
        f"{base}/{items['HAZ-01']}", json={"result": "pass"}, headers=official
    )
    assert passed.status_code == 200
    assert passed.json()["hazard_id"] is None
    bad = await client.put(
        f"{base}/{items['HAZ-02']}", json={"result": "pass", "raise_hazard": True}, headers=official
    )
    assert bad.status_code == 422
    # photos are files uploaded to this visit, nothing else
    stranger = await client.put(
        f"{base}/{items['HAZ-05']}",
        json={"result": "fail", "photo_ids": ["01938a4e-0000-7000-8000-0000000000aa"]},
        headers=official,
    )
    assert stranger.status_code == 422  # an unknown id: the reference rule
    assert stranger.json()["code"] == "reference_not_found"
    photo = await visit_file(client, official, visit["id"])
    # HAZ-05 names clause hazchem-2017-18: a failure there is a major hazard
    major = await client.put(
        f"{base}/{items['HAZ-05']}",
        json={
            "result": "fail",
            "note": "动火作业票未审批",
            "raise_hazard": True,
            "photo_ids": [photo],
        },
        headers=official,
    )
    assert major.status_code == 200, major.text
    hazard_id = major.json()["hazard_id"]
    hazard = (await client.get(f"/api/v1/hazards/{hazard_id}", headers=official)).json()
    assert hazard["level"] == "major"
    assert hazard["visit_id"] == visit["id"]
    assert hazard["source"] == "departmental"
    assert hazard["criteria_clause_ids"]
    assert hazard["status"] == "reported"
    general = await client.put(
        f"{base}/{items['HAZ-08']}",
        json={"result": "fail", "note": "未演练", "raise_hazard": True},
        headers=official,
    )
    general_hazard = (
        await client.get(f"/api/v1/hazards/{general.json()['hazard_id']}", headers=official)
    ).json()
    assert general_hazard["level"] is None  # graded at registration
    na = await client.put(
        f"{base}/{items['HAZ-07']}", json={"result": "not_applicable"}, headers=official
    )
    assert na.status_code == 200
    undo = await client.put(f"{base}/{items['HAZ-05']}", json={"result": "pass"}, headers=official)
    assert undo.status_code == 409
    assert undo.json()["code"] == "result_has_hazard"
    twice = await client.put(
        f"{base}/{items['HAZ-05']}", json={"result": "fail", "raise_hazard": True}, headers=official
    )
    assert twice.status_code == 409
    missing = await client.put(
        f"{base}/01938a4e-0000-7000-8000-000000000000", json={"result": "pass"}, headers=official
    )
    assert missing.status_code == 404
    staff = token("enterprise_user", enterprise_id=u["ent"]["id"])
    assert (
        await client.put(f"{base}/{items['HAZ-03']}", json={"result": "pass"}, headers=staff)
    ).status_code == 403
    findings = (await client.get(f"{URL}/{visit['id']}/findings", headers=official)).json()
    assert findings["counts"] == {
        "items": 8,
        "passed": 1,
        "failed": 2,
        "not_applicable": 1,
        "unchecked": 4,
        "hazards": 2,
        "major_hazards": 1,
    }
    assert {f["item_code"] for f in findings["failed_items"]} == {"HAZ-05", "HAZ-08"}
    listed = (await client.get(base, headers=staff)).json()["items"]
    assert len(listed) == 4


async def test_self_inspection_raises_self_found_hazard(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    u = await setup_unit(client, admin, token)
    staff = token("enterprise_user", enterprise_id=u["ent"]["id"])
    visit = await plan_visit(
        client,
        staff,
        u["ent"]["id"],
        type="self_inspection",
        members=[{"role": "staff", "name": "李四"}],
    )
    await start(client, staff, visit["id"])
    items = await _items(client, staff, visit)
    raised = await client.put(
        f"{URL}/{visit['id']}/results/{items['HAZ-08']}",
        json={"result": "fail", "raise_hazard": True},
        headers=staff,
    )
    assert raised.status_code == 200, raised.text
    hazard = (
        await client.get(f"/api/v1/hazards/{raised.json()['hazard_id']}", headers=staff)
    ).json()
    assert hazard["source"] == "self_inspection"


async def _two_inspectors(
    client: AsyncClient, admin: dict[str, str], token: Token, connection: AsyncConnection
) -> tuple[dict[str, Any], dict[str, Any], dict[str, str], dict[str, str]]:
    """A unit, a visit with two inspectors who have accounts, each one's token."""
    u = await setup_unit(client, admin, token)
    dept = u["dept"]["id"]
    tag = uuid.uuid4().hex[:8]
    wang = await add_person(connection, subject=f"wang-{tag}", name="王检查", department_id=dept)
    zhao = await add_person(connection, subject=f"zhao-{tag}", name="赵检查", department_id=dept)
    as_wang = token("inspector", sub=f"wang-{tag}", department_id=dept)
    as_zhao = token("inspector", sub=f"zhao-{tag}", department_id=dept)
    visit = await plan_visit(
        client,
        u["official"],
        u["ent"]["id"],
        members=[
            inspector_member("王检查", wang),
            {**inspector_member("赵检查", zhao), "certificate_number": "2"},
        ],
    )
    return u, visit, as_wang, as_zhao


async def test_onsite_record_signed_by_all_then_immutable(
    client: AsyncClient, admin: dict[str, str], token: Token, connection: AsyncConnection
) -> None:
    u, visit, as_wang, as_zhao = await _two_inspectors(client, admin, token, connection)
    official = u["official"]
    rec_url = f"{URL}/{visit['id']}/onsite-record"
    assert (await client.get(rec_url, headers=official)).status_code == 404
    await start(client, official, visit["id"])
    await complete(client, official, visit["id"])
    record = (await client.get(rec_url, headers=official)).json()
    assert record["status"] == "draft"
    assert record["content"] == "检查了重点部位"
    assert len(record["unsigned_inspectors"]) == 2
    edited = await client.patch(
        rec_url, json={"handling": "责令限期整改"}, headers={**official, "If-Match": '"1"'}
    )
    assert edited.status_code == 200
    assert edited.json()["handling"] == "责令限期整改"
    stale = await client.patch(
        rec_url, json={"handling": "x"}, headers={**official, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    first, second = visit["members"][0]["id"], visit["members"][1]["id"]
    # an official who is not on the visit signs for nobody; an inspector not for another
    for headers, body, code in (
        (
            official,
            {"signer_role": "inspector", "member_id": first},
            "signer_not_inspector_of_visit",
        ),
        (as_wang, {"signer_role": "inspector", "member_id": second}, "signature_not_own"),
    ):
        refused = await client.post(f"{rec_url}/signatures", json=body, headers=headers)
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == code
    unknown = await client.post(
        f"{rec_url}/signatures",
        json={
            "signer_role": "inspector",
            "member_id": first,
            "attachment_id": "01938a4e-0000-7000-8000-0000000000bb",
        },
        headers=as_wang,
    )
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "reference_not_found"
    signed = await client.post(
        f"{rec_url}/signatures",
        json={
            "signer_role": "inspector",
            "attachment_id": await visit_file(client, official, visit["id"], "document"),
        },
        headers=as_wang,
    )
    assert signed.status_code == 200, signed.text
    assert signed.json()["status"] == "signing"
    own = signed.json()["signatures"][0]
    assert (own["member_id"], own["name"], own["capture"]) == (first, "王检查", "own_account")
    assert own["signed_by"].startswith("inspector:wang-")
    locked = await client.patch(rec_url, json={"handling": "改"}, headers=official)
    assert locked.status_code == 409
    assert locked.json()["code"] == "onsite_record_signed"
    dup = await client.post(
        f"{rec_url}/signatures",
        json={"signer_role": "inspector", "member_id": first},
        headers=as_wang,
    )
    assert dup.status_code == 409
    # the head signs on Zhao's device: name and image required, and the signature says so
    no_image = await client.post(
        f"{rec_url}/signatures", json={"signer_role": "unit_head", "name": "张三"}, headers=as_zhao
    )
    assert no_image.status_code == 422
    assert no_image.json()["code"] == "head_signature_image_required"
    image = await visit_file(client, as_zhao, visit["id"], "document")
    head = await client.post(
        f"{rec_url}/signatures",
        json={"signer_role": "unit_head", "name": "张三", "attachment_id": image},
        headers=as_zhao,
    )
    assert head.status_code == 200, head.text
    assert head.json()["status"] == "signing"
    captured = head.json()["signatures"][1]
    assert captured["signer_role"] == "unit_head"
    assert captured["name"] == "张三"
    assert captured["capture"] == "inspector_device"
    assert captured["captured_by_member_id"] == second
    assert captured["member_id"] is None
    assert captured["attachment_id"] == image
    staff = token("enterprise_user", enterprise_id=u["ent"]["id"])
    assert (
        await client.post(
            f"{rec_url}/signatures",
            json={"signer_role": "inspector", "member_id": second},
            headers=staff,
        )
    ).status_code == 403
    done = await client.post(
        f"{rec_url}/signatures", json={"signer_role": "inspector"}, headers=as_zhao
    )
    assert done.json()["status"] == "signed"
    assert done.json()["signed_at"] is not None
    assert len(done.json()["signatures"]) == 3
    after = await client.post(
        f"{rec_url}/signatures",
        json={"signer_role": "unit_head", "name": "李四", "attachment_id": image},
        headers=as_zhao,
    )
    assert after.status_code == 409
    assert after.json()["code"] == "onsite_record_signed"
    refusal = await client.post(
        f"{rec_url}/refusal", json={"head_name": "张三", "note": "x"}, headers=as_zhao
    )
    assert refusal.status_code == 409
    assert (await client.get(rec_url, headers=staff)).status_code == 200


async def test_onsite_record_head_refusal(
    client: AsyncClient, admin: dict[str, str], token: Token, connection: AsyncConnection
) -> None:
    u, visit, as_wang, as_zhao = await _two_inspectors(client, admin, token, connection)
    official = u["official"]
    await start(client, official, visit["id"])
    await complete(client, official, visit["id"])
    rec_url = f"{URL}/{visit['id']}/onsite-record"
    body = {"head_name": "张三", "note": "负责人拒绝签字，由两名检查人员在场见证"}
    not_member = await client.post(f"{rec_url}/refusal", json=body, headers=official)
    assert not_member.status_code == 403
    refused = await client.post(f"{rec_url}/refusal", json=body, headers=as_wang)
    assert refused.status_code == 200
    assert refused.json()["head_refused"] is True
    assert refused.json()["status"] == "signing"
    assert "王检查" in refused.json()["refusal_note"]
    image = await visit_file(client, as_wang, visit["id"], "document")
    head = await client.post(
        f"{rec_url}/signatures",
        json={"signer_role": "unit_head", "name": "张三", "attachment_id": image},
        headers=as_wang,
    )
    assert head.status_code == 409
    assert head.json()["code"] == "head_already_recorded"
    for headers in (as_wang, as_zhao):
        signed = await client.post(
            f"{rec_url}/signatures", json={"signer_role": "inspector"}, headers=headers
        )
    assert signed.json()["status"] == "signed"
    assert "拒绝签字" in signed.json()["refusal_note"]
