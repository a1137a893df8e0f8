"""Access-matrix builders and operations for the domains after identity: hazards, inspection
visits, responsibility assignments, the events feed, webhook subscriptions, public reports.

Everything here takes the matrix's ``World`` (duck-typed as ``Any`` to avoid an import cycle):
``w.client``, ``w.admin``, ``await w.id(name)``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from httpx import AsyncClient, Response

from tests.hazards.builders import hazard_body
from tests.visits.builders import inspector_member

Builder = Callable[[Any], Awaitable[dict[str, Any]]]
Op = Callable[[AsyncClient, dict[str, str], Any], Awaitable[Response]]

HZ, VS, RA = "/api/v1/hazards", "/api/v1/inspection-visits", "/api/v1/responsibility-assignments"


async def _post(w: Any, url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await w.client.post(url, json=body, headers=w.admin)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def _hazard(enterprise: str, **overrides: Any) -> Builder:
    async def build(w: Any) -> dict[str, Any]:
        return await _post(w, HZ, hazard_body(await w.id(enterprise), **overrides))

    return build


async def _visit_body(w: Any, enterprise: str, lead: str) -> dict[str, Any]:
    return {
        "type": "departmental",
        "enterprise_id": await w.id(enterprise),
        "lead_department_id": await w.id(lead),
        "planned_on": "2026-12-01",
        "purpose": "例行执法检查",
        "members": [inspector_member()],
    }


def _visit(enterprise: str, lead: str) -> Builder:
    async def build(w: Any) -> dict[str, Any]:
        return await _post(w, VS, await _visit_body(w, enterprise, lead))

    return build


async def _assignment_body(w: Any) -> dict[str, Any]:
    return {
        "kind": "enterprise_safety_manager",
        "holder_person_id": await w.id("person"),
        "object_type": "enterprise",
        "object_enterprise_id": await w.id("enterprise"),
    }


async def _assignment(w: Any) -> dict[str, Any]:
    return await _post(w, RA, await _assignment_body(w))


BUILDERS: dict[str, Builder] = {
    # in every scoped role's scope (the matrix targets)
    "hazard": _hazard("enterprise"),
    "visit": _visit("enterprise", "supervising_department"),
    "assignment": _assignment,
    # outside some scopes (the scope proof)
    "hazard_elsewhere": _hazard("enterprise_elsewhere"),
    "hazard_other_sector": _hazard("enterprise_other_sector", sector="fire"),
    "visit_elsewhere": _visit("enterprise_elsewhere", "department_elsewhere"),
    "visit_other_sector": _visit("enterprise_other_sector", "supervising_department"),
}


def _get(path: str, target: str | None = None) -> Op:
    async def op(c: AsyncClient, h: dict[str, str], w: Any) -> Response:
        url = path.format(id=await w.id(target)) if target else path
        return await c.get(url, headers=h)

    return op


def _post_op(path: str, target: str | None, body: Callable[[Any], Awaitable[dict[str, Any]]]) -> Op:
    async def op(c: AsyncClient, h: dict[str, str], w: Any) -> Response:
        url = path.format(id=await w.id(target)) if target else path
        return await c.post(url, json=await body(w), headers=h)

    return op


def _patch_op(path: str, body: Callable[[Any], Awaitable[dict[str, Any]]]) -> Op:
    async def op(c: AsyncClient, h: dict[str, str], w: Any) -> Response:
        return await c.patch(path, json=await body(w), headers=h)

    return op


def _fixed(value: dict[str, Any]) -> Callable[[Any], Awaitable[dict[str, Any]]]:
    async def make(w: Any) -> dict[str, Any]:
        return value

    return make


async def _new_hazard(w: Any) -> dict[str, Any]:
    return hazard_body(await w.id("enterprise"))


async def _new_visit(w: Any) -> dict[str, Any]:
    return await _visit_body(w, "enterprise", "supervising_department")


OPS: dict[tuple[str, str], Op] = {
    ("hazards", "list"): _get(HZ),
    ("hazards", "read"): _get(HZ + "/{id}", "hazard"),
    ("hazards", "create"): _post_op(HZ, None, _new_hazard),
    ("hazards", "register"): _post_op(
        HZ + "/{id}/register",
        "hazard",
        _fixed({"level": "general", "treatment_type": "by_deadline"}),
    ),
    ("hazards", "cancel"): _post_op(HZ + "/{id}/cancel", "hazard", _fixed({"reason": "重复上报"})),
    ("inspection-visits", "list"): _get(VS),
    ("inspection-visits", "read"): _get(VS + "/{id}", "visit"),
    ("inspection-visits", "create"): _post_op(VS, None, _new_visit),
    ("responsibility-assignments", "list"): _get(RA),
    ("responsibility-assignments", "read"): _get(RA + "/{id}", "assignment"),
    ("responsibility-assignments", "create"): _post_op(RA, None, _assignment_body),
    ("events", "list"): _get("/api/v1/events"),
    ("webhook-subscriptions", "create"): _post_op(
        "/api/v1/webhook-subscriptions", None, _fixed({"url": "https://hook.example.gov.cn/"})
    ),
    ("public-reports", "list"): _get("/api/v1/public-reports"),
    ("clock", "read"): _get("/api/v1/clock"),
    ("clock", "move"): _patch_op("/api/v1/clock", _fixed({"offset_seconds": 3600})),
}

# Notes on the less obvious cells:
# * an expert sees only the hazards it is assigned to, so an action on any other hazard is 404
#   (H) before its permission is even looked at: out of scope is indistinguishable from missing;
# * an enterprise may register only hazards it found itself (403 hazard_not_self_found), and
#   may cancel only what it reported or registered (403 hazard_cancel_not_allowed); likewise an
#   inspector, who has no hazard:cancel;
# * an enterprise may plan only self-inspections (403 visit_type_not_allowed);
# * webhook subscriptions: administrators, and read-write system clients for themselves (a
#   read-only key is read-only everywhere: creating, changing, rotating and deleting need
#   webhook:subscribe, which READ_ONLY_KEY_PERMISSIONS drops), see
#   app/events/service/subscriptions.py. The policy table grants webhook:manage to the
#   administrator only; the system-client exception lives in the service.
# fmt: off
#                                               adm co dep town insp ent exp s-ro s-rw
MATRIX: dict[tuple[str, str], str] = {
    ("hazards", "list"):                        "A  A  A   A    A    A   A   A    A",
    ("hazards", "read"):                        "A  A  A   A    A    A   H   A    A",
    ("hazards", "create"):                      "A  A  A   A    A    A   F   F    A",
    ("hazards", "register"):                    "A  A  A   A    A    F   H   F    A",
    ("hazards", "cancel"):                      "A  A  A   A    F    F   H   F    A",
    ("inspection-visits", "list"):              "A  A  A   A    A    A   A   A    A",
    ("inspection-visits", "read"):              "A  A  A   A    A    A   H   A    A",
    ("inspection-visits", "create"):            "A  A  A   A    A    F   F   F    A",
    ("responsibility-assignments", "list"):     "A  A  A   A    A    A   F   A    A",
    ("responsibility-assignments", "read"):     "A  A  A   A    A    A   F   A    A",
    ("responsibility-assignments", "create"):   "A  A  A   A    F    F   F   F    A",
    ("events", "list"):                         "A  A  A   A    A    F   F   A    A",
    ("webhook-subscriptions", "create"):        "A  F  F   F    F    F   F   F    A",
    ("public-reports", "list"):                 "A  A  A   A    A    F   F   F    F",
    ("clock", "read"):                          "A  A  A   A    A    A   A   A    A",
    ("clock", "move"):                          "A  F  F   F    F    F   F   F    F",
}
# fmt: on

# Scope proof: which list/read URL each object belongs to.
SCOPE_OBJECTS: dict[str, str] = {
    "hazard": HZ,
    "hazard_elsewhere": HZ,
    "hazard_other_sector": HZ,
    "visit": VS,
    "visit_elsewhere": VS,
    "visit_other_sector": VS,
}
# 403 codes of rules narrower than a permission (see the notes above)
FORBIDDEN_CODES = {"hazard_not_self_found", "hazard_cancel_not_allowed", "visit_type_not_allowed"}
ELSEWHERE = {"hazard_elsewhere", "visit_elsewhere"}
OTHER_SECTOR = {"hazard_other_sector", "visit_other_sector"}
