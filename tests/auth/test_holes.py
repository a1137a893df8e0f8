"""The eleven holes of issue 15, each reproduced through HTTP and now closed. Two counties:
COUNTY (330106) and OTHER_COUNTY (330105)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from httpx import AsyncClient

from app.auth.tokens import mint_dev_token
from app.config import Settings
from app.events import targets
from tests.factories import (
    COUNTY,
    OTHER_COUNTY,
    OTHER_TOWN,
    TOWN,
    create_department,
    create_enterprise,
)
from tests.hazards.builders import hazard_body
from tests.people.builders import create_person
from tests.visits.builders import plan_visit

Headers = dict[str, str]
Token = Callable[..., Headers]
HOOKS = "/api/v1/webhook-subscriptions"


def _office(token: Token, region: str = COUNTY) -> Headers:
    return token("committee_office", region_code=region)


def _without_request_id(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("request_id",)}


# 1 ------------------------------------------------------------------------------------------
async def test_1_enterprise_user_cannot_change_what_supervisors_record(
    client: AsyncClient, admin: Headers, token: Token
) -> None:
    ent = await create_enterprise(client, admin)
    me = token("enterprise_user", enterprise_id=ent["id"])
    url = f"/api/v1/enterprises/{ent['id']}"
    moved = await client.patch(
        url,
        json={"region_code": "330106004", "sectors": ["other"], "risk_grade": "blue"},
        headers={**me, "If-Match": f'"{ent["version"]}"'},
    )
    assert moved.status_code == 403, moved.text
    assert moved.json()["code"] == "field_not_writable"
    assert sorted(e["loc"][-1] for e in moved.json()["errors"]) == [
        "region_code",
        "risk_grade",
        "sectors",
    ]
    for field, value in (
        ("licences", []),
        ("main_responsible_person", {"name": "王五", "phone": "13800000000"}),
        ("name", "改名"),
    ):
        refused = await client.patch(url, json={field: value}, headers=me)
        assert refused.status_code == 403, (field, refused.text)
    contact = await client.patch(
        url,
        json={
            "address": "西湖区新路2号",
            "safety_manager": {"name": "赵六", "phone": "13900000000"},
        },
        headers=me,
    )
    assert contact.status_code == 200, contact.text
    office = await client.get(url, headers=_office(token))
    assert office.status_code == 200
    assert office.json()["region_code"] == TOWN


# 2 ------------------------------------------------------------------------------------------
async def test_2_a_deleted_persons_token_is_refused(
    client: AsyncClient, admin: Headers, token: Token
) -> None:
    dept = await create_department(client, admin)
    subject = f"idp|deleted-{uuid.uuid4().hex[:6]}"
    person = await create_person(
        client, admin, department_id=dept["id"], roles=["committee_office"], subject=subject
    )
    bearer = token("committee_office", sub=subject)
    assert (await client.get("/api/v1/hazards", headers=bearer)).status_code == 200
    deleted = await client.delete(f"/api/v1/people/{person['id']}", headers=admin)
    assert deleted.status_code == 204
    refused = await client.get("/api/v1/hazards", headers=bearer)
    assert refused.status_code == 401
    assert refused.json()["code"] == "account_deleted"
    assert "WWW-Authenticate" in refused.headers


async def test_the_person_record_beats_disagreeing_claims(
    client: AsyncClient, admin: Headers, token: Token
) -> None:
    """Design risk: a staff token naming another enterprise, an inspector's token naming
    another region; the record decides, a disagreeing claim is 401."""
    mine = await create_enterprise(client, admin)
    theirs = await create_enterprise(client, admin)
    subject = f"idp|staff-{uuid.uuid4().hex[:6]}"
    await create_person(client, admin, enterprise_id=mine["id"], subject=subject)
    forged = token("enterprise_user", sub=subject, enterprise_id=theirs["id"])
    response = await client.get(f"/api/v1/enterprises/{theirs['id']}", headers=forged)
    assert response.status_code == 401
    assert response.json()["code"] == "claim_mismatch"
    plain = token("enterprise_user", sub=subject)  # no claims: the record's enterprise
    assert (await client.get(f"/api/v1/enterprises/{mine['id']}", headers=plain)).status_code == 200
    assert (
        await client.get(f"/api/v1/enterprises/{theirs['id']}", headers=plain)
    ).status_code == 404

    dept = await create_department(client, admin)
    inspector = f"idp|insp-{uuid.uuid4().hex[:6]}"
    await create_person(
        client,
        admin,
        department_id=dept["id"],
        kind="inspector",
        certificate_number="33010600999",
        roles=["inspector"],
        subject=inspector,
    )
    elsewhere = token("inspector", sub=inspector, region_code=OTHER_COUNTY)
    assert (await client.get("/api/v1/hazards", headers=elsewhere)).status_code == 401
    ungranted = token("committee_office", sub=inspector)
    assert (await client.get("/api/v1/hazards", headers=ungranted)).json()["code"] == (
        "role_not_granted"
    )


# 3 ------------------------------------------------------------------------------------------
async def test_3_no_takeover_of_an_administrators_subject(
    client: AsyncClient, admin: Headers, token: Token
) -> None:
    root = f"idp|root-{uuid.uuid4().hex[:6]}"
    root_token = token("admin", sub=root)
    assert (await client.get("/api/v1/hazards", headers=root_token)).status_code == 200
    dept = await create_department(client, admin)
    office = _office(token)
    body = {
        "name": "冒名",
        "kind": "official",
        "department_id": dept["id"],
        "roles": ["committee_office"],
        "subject": root,
    }
    taken = await client.post("/api/v1/people", json=body, headers=office)
    assert taken.status_code == 403, taken.text
    assert taken.json()["code"] == "subject_binding_denied"
    assert (await client.get("/api/v1/hazards", headers=root_token)).status_code == 200
    # a subject that signed in for another county is not this county's to bind either
    foreign = f"idp|other-{uuid.uuid4().hex[:6]}"
    foreign_token = token("committee_office", sub=foreign, region_code=OTHER_COUNTY)
    assert (await client.get("/api/v1/hazards", headers=foreign_token)).status_code == 200
    refused = await client.post("/api/v1/people", json={**body, "subject": foreign}, headers=office)
    assert refused.status_code == 403
    # PATCH onto an existing record is the same rule
    person = await create_person(client, office, department_id=dept["id"])
    patched = await client.patch(
        f"/api/v1/people/{person['id']}", json={"subject": root}, headers=office
    )
    assert patched.status_code == 403
    # an unknown subject, or one that signed in within the office's county: bound
    fresh = await client.post(
        "/api/v1/people",
        json={**body, "subject": f"idp|new-{uuid.uuid4().hex[:6]}"},
        headers=office,
    )
    assert fresh.status_code == 201, fresh.text
    # the administrator may bind it
    assert (await client.post("/api/v1/people", json=body, headers=admin)).status_code == 201


# 4 ------------------------------------------------------------------------------------------
async def test_4_references_to_rows_the_caller_cannot_see_are_refused(
    client: AsyncClient, admin: Headers, token: Token
) -> None:
    here = await create_enterprise(client, admin)
    there = await create_enterprise(client, admin, region_code=OTHER_TOWN)
    dept_here = await create_department(client, admin)
    dept_there = await create_department(client, admin, region_code=OTHER_COUNTY)
    visit_there = await plan_visit(client, admin, there["id"], lead_department_id=dept_there["id"])
    person_there = await create_person(client, admin, department_id=dept_there["id"])
    office = _office(token)

    async def refused(body: dict[str, Any], field: str) -> dict[str, Any]:
        response = await client.post("/api/v1/hazards", json=body, headers=office)
        assert response.status_code == 422, response.text
        problem = response.json()
        assert problem["code"] == "reference_not_found"
        assert [e["loc"] for e in problem["errors"]] == [["body", field]]
        return _without_request_id(problem)

    foreign = await refused(hazard_body(here["id"], visit_id=visit_there["id"]), "visit_id")
    unknown = await refused(hazard_body(here["id"], visit_id=str(uuid.uuid4())), "visit_id")
    assert foreign == unknown  # indistinguishable from an id that does not exist
    await refused(
        hazard_body(here["id"], found_by_person_id=person_there["id"]), "found_by_person_id"
    )
    await refused(hazard_body(there["id"]), "enterprise_id")

    visit = await client.post(
        "/api/v1/inspection-visits",
        json={
            "type": "joint",
            "enterprise_id": here["id"],
            "planned_on": "2026-12-01",
            "purpose": "联合检查",
            "lead_department_id": dept_here["id"],
            "participating_department_ids": [dept_there["id"]],
            "members": [{"role": "inspector", "name": "王检查", "person_id": person_there["id"]}],
        },
        headers=office,
    )
    assert visit.status_code == 422, visit.text
    assert sorted(tuple(e["loc"]) for e in visit.json()["errors"]) == [
        ("body", "members", 0, "person_id"),
        ("body", "participating_department_ids", 0),
    ]

    # assign-experts with another county's expert
    hazard = await client.post("/api/v1/hazards", json=hazard_body(here["id"]), headers=office)
    assert hazard.status_code == 201, hazard.text
    expert = await create_person(
        client,
        admin,
        kind="expert",
        roles=["expert"],
        region_code=OTHER_COUNTY,
        department_id=None,
    )
    assigned = await client.post(
        f"/api/v1/hazards/{hazard.json()['id']}/assign-experts",
        json={"expert_ids": [expert["id"]]},
        headers={**office, "If-Match": f'"{hazard.json()["version"]}"'},
    )
    assert assigned.status_code == 422, assigned.text
    assert assigned.json()["errors"][0]["loc"] == ["body", "expert_ids", 0]


# 5 ------------------------------------------------------------------------------------------
SSRF_URLS = [
    "http://100.100.100.200/",  # a cloud metadata address
    "http://100.64.0.1/",  # shared address space 100.64.0.0/10
    "http://[2002:a9fe:a9fe::1]/",  # 6to4 of 169.254.169.254
    "http://LOCALHOST.:8080/",  # trailing dot
    "http://localhost./",
    "http://[::ffff:169.254.169.254]/",  # IPv4-mapped
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254
    "http://[2001:0:4136:e378:8000:63bf:5601:fefe]/",  # Teredo, client 169.254.1.1
    "http://2130706433/",  # 127.0.0.1 as one number
    "http://0x7f.1/",
    "http://10.0.0.1/",
    "http://[fd00::1]/",
    "http://[fe80::1]/",
    "http://224.0.0.1/",
    "http://192.0.2.1/",  # documentation
    "http://intranet/",  # a single-label name
]


@pytest.mark.parametrize("url", SSRF_URLS)
async def test_5_internal_webhook_targets_are_refused(
    client: AsyncClient, admin: Headers, url: str
) -> None:
    response = await client.post(HOOKS, json={"url": url}, headers=admin)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "webhook_target_refused"


@pytest.mark.parametrize("url", SSRF_URLS)
async def test_5_the_same_check_guards_every_delivery(url: str) -> None:
    with pytest.raises(targets.TargetRefusedError):
        await targets.resolve_and_check(url, [])


def test_5_a_delivery_connects_to_the_checked_address() -> None:
    address = targets.literal_address("203.0.113.9")
    assert address is not None
    url, headers, extensions = targets.pin("https://hook.example.gov.cn:8443/a?b=1", address)
    assert url == "https://203.0.113.9:8443/a?b=1"
    assert headers == {"host": "hook.example.gov.cn:8443"}
    assert extensions == {"sni_hostname": "hook.example.gov.cn"}
    assert targets.address_allowed(targets.literal_address("8.8.8.8"), [])  # type: ignore[arg-type]
    allowed = targets.parse_networks(["10.0.0.0/8"])
    assert targets.address_allowed(targets.literal_address("10.1.2.3"), allowed)  # type: ignore[arg-type]


# 6 ------------------------------------------------------------------------------------------
async def test_6_feed_carries_no_more_than_the_lists(
    client: AsyncClient, admin: Headers, token: Token
) -> None:
    from tests.events.builders import all_events
    from tests.public_reports.builders import report_body

    ent = await create_enterprise(client, admin)
    submitted = await client.post(
        "/api/v1/public-reports", json=report_body(enterprise_id=ent["id"])
    )
    assert submitted.status_code == 201, submitted.text
    sub = await client.post(HOOKS, json={"url": "https://hook.example.gov.cn/"}, headers=admin)
    assert sub.status_code == 201
    key = await client.post(
        "/api/v1/api-keys", json={"name": "只读", "region_code": COUNTY}, headers=admin
    )
    readers = {
        "read-only key": {"X-API-Key": key.json()["key"]},
        "office": _office(token),
        "other department": token(
            "department_official",
            department_id=(await create_department(client, admin))["id"],
        ),
    }
    for name, headers in readers.items():
        types = {e["type"] for e in await all_events(client, headers)}
        assert not any(t.startswith("gov.anjian.webhook_subscription.") for t in types), name
        if name != "office":  # the office handles reports of its county
            assert not any(t.startswith("gov.anjian.public_report.") for t in types), name
    office_types = {e["type"] for e in await all_events(client, readers["office"])}
    assert any(t.startswith("gov.anjian.public_report.") for t in office_types)


# 7 ------------------------------------------------------------------------------------------
async def test_7_a_read_only_key_is_read_only_for_webhooks_too(
    client: AsyncClient, admin: Headers
) -> None:
    created = await client.post(
        "/api/v1/api-keys", json={"name": "只读系统", "region_code": COUNTY}, headers=admin
    )
    key = {"X-API-Key": created.json()["key"]}
    response = await client.post(HOOKS, json={"url": "https://hook.example.gov.cn/"}, headers=key)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert (await client.get(HOOKS, headers=key)).status_code == 200  # reading stays allowed


# 8 ------------------------------------------------------------------------------------------
async def test_8_responsibilities_of_a_person_are_404_like_the_person(
    client: AsyncClient, admin: Headers, token: Token
) -> None:
    dept = await create_department(client, admin)
    person = await create_person(client, admin, department_id=dept["id"])
    other = _office(token, OTHER_COUNTY)
    assert (await client.get(f"/api/v1/people/{person['id']}", headers=other)).status_code == 404
    response = await client.get(f"/api/v1/people/{person['id']}/responsibilities", headers=other)
    assert response.status_code == 404
    assert "name" not in response.text
    mine = _office(token)
    assert (
        await client.get(f"/api/v1/people/{person['id']}/responsibilities", headers=mine)
    ).status_code == 200


# 9 ------------------------------------------------------------------------------------------
async def test_9_a_client_id_of_an_unseen_row_is_no_oracle(
    client: AsyncClient, admin: Headers, token: Token
) -> None:
    there = await create_enterprise(client, admin, region_code=OTHER_TOWN)
    office = _office(token)
    body = {
        "id": there["id"],
        "uscc": there["uscc"],
        "name": "另一个名称",
        "kind": "enterprise",
        "region_code": TOWN,
        "sectors": ["hazchem"],
    }
    response = await client.post("/api/v1/enterprises", json=body, headers=office)
    assert response.status_code == 404, response.text
    same = await client.get(f"/api/v1/enterprises/{there['id']}", headers=office)
    assert response.json()["code"] == same.json()["code"]


# 10 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("subject", ["", " ", " test-admin"])
async def test_10_an_empty_subject_is_refused(
    client: AsyncClient, settings: Settings, subject: str
) -> None:
    bearer = {
        "Authorization": f"Bearer {mint_dev_token(settings, {'sub': subject, 'role': 'admin'})}"
    }
    response = await client.get("/api/v1/hazards", headers=bearer)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


# 11 -----------------------------------------------------------------------------------------
async def test_11_an_export_of_a_foreign_region_is_filed_under_the_callers(
    client: AsyncClient, admin: Headers, token: Token
) -> None:
    office = _office(token)
    response = await client.get(
        "/api/v1/enterprises/export",
        params={"region": OTHER_COUNTY, "format": "csv"},
        headers=office,
    )
    assert response.status_code == 200, response.text
    rows = (
        await client.get(
            "/api/v1/audit-events",
            params={"resource_id": "export", "action": "personal_data_read"},
            headers=admin,
        )
    ).json()["items"]
    assert rows
    assert rows[0]["region_code"] == COUNTY
    foreign = (
        await client.get(
            "/api/v1/audit-events",
            params={"resource_id": "export"},
            headers=_office(token, OTHER_COUNTY),
        )
    ).json()["items"]
    assert foreign == []
