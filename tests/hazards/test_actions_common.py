"""What every action endpoint shares: If-Match (412), scope (404), auth (401), ETag."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.factories import COUNTY
from tests.hazards.builders import World, in_days, order_body, plan_body
from tests.people.builders import create_person

VALID_BODIES: dict[str, dict[str, Any]] = {
    "register": {"level": "general", "treatment_type": "immediate"},
    "regrade": {"level": "general", "treatment_type": "immediate"},
    "fix-on-spot": {},
    "order-rectification": order_body(),
    "report-major": {},
    "list": {"level": "county", "issuing_unit": "安委办", "notice_number": "1"},
    "submit-plan": plan_body(),
    "report-progress": {"comment": "进展"},
    "request-extension": {"requested_deadline": in_days(90), "reason": "x"},
    "approve-extension": {},
    "reject-extension": {"reason": "x"},
    "declare-completion": {"note": "完成"},
    "accept": {"opinion": "合格"},
    "reject-acceptance": {"reason": "x"},
    "escalate": {
        "measure": "fine",
        "grounds": "refused",
        "document_number": "x",
        "reason": "x",
        "fine_amount": "100",
    },
    "cancel": {"reason": "x"},
    "link-relapse": {"relapse_of_id": str(uuid.uuid4())},
    "assign-experts": {"expert_ids": [str(uuid.uuid4())]},
}


async def _valid_body(world: World, action: str) -> dict[str, Any]:
    """The action's body; ids it names are real rows the department official can see (an
    unseen one is 422 reference_not_found, see tests/auth/test_references.py)."""
    if action == "link-relapse":
        return {"relapse_of_id": (await world.hazard())["id"]}
    if action == "assign-experts":
        expert = await create_person(
            world.client,
            world.admin,
            kind="expert",
            roles=["expert"],
            region_code=COUNTY,
            department_id=None,
        )
        return {"expert_ids": [expert["id"]]}
    return VALID_BODIES[action]


@pytest.mark.parametrize("action", sorted(VALID_BODIES))
async def test_every_action_checks_scope_and_if_match(world: World, action: str) -> None:
    hz = await world.hazard()
    body = await _valid_body(world, action)
    stale = await world.act(hz, action, body, world.dept, if_match=99)
    assert stale.status_code == 412, stale.text
    assert stale.json()["code"] == "version_mismatch"
    missing = await world.act(str(uuid.uuid4()), action, body, world.dept)
    assert missing.status_code == 404
    outsider = world.token("enterprise_user", enterprise_id=str(uuid.uuid4()))
    hidden = await world.act(hz, action, body, outsider)
    # an outsider sees neither the hazard nor what the body names: 404, or 422 for the body's
    # reference (both say "not found")
    assert (hidden.status_code, hidden.json()["code"]) in (
        (404, "hazard_not_found"),
        (422, "reference_not_found"),
    )
    unauthenticated = await world.client.post(f"/api/v1/hazards/{hz['id']}/{action}", json=body)
    assert unauthenticated.status_code == 401
    extra = await world.act(hz, action, {**body, "colour": "red"}, world.dept)
    assert extra.status_code == 422


async def test_action_response_carries_etag(world: World) -> None:
    hz = await world.hazard()
    r = await world.act(hz, "register", VALID_BODIES["register"], world.dept, if_match=1)
    assert r.status_code == 200
    assert r.headers["etag"] == f'"{r.json()["version"]}"'
