"""Access matrix through HTTP: every role × resource × operation → allowed, forbidden or hidden.

Two tables drive it, both meant to be extended by appending lines:

* ``MATRIX``: for each (resource, operation) the expected outcome per role, in ``ROLES`` order:
  ``A`` allowed (2xx), ``F`` forbidden (403: the role may not do this), ``H`` hidden (404: the
  role may do this, but the target is outside its scope). The target is always one that lies
  in the scope of every role that has one, so ``H`` means "this role sees nothing of the kind".
* ``INVISIBLE``: for each role, which of the out-of-scope objects of ``SCOPE_OBJECTS`` it must
  never see: absent from lists, 404 by id.

An operation is an async function ``(client, headers, world) -> response``; ``World`` builds the
objects it needs on first use (a department, an enterprise, a person…).
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.config import Settings
from tests.api_keys.builders import create_api_key, key_header
from tests.conftest import api_client, bind_app, make_token
from tests.factories import (
    COUNTY,
    OTHER_COUNTY,
    OTHER_TOWN,
    TOWN,
    create_department,
    create_enterprise,
    make_uscc,
)
from tests.matrix import domains
from tests.people.builders import create_person

ROLES = (
    "admin",
    "committee_office",
    "department_official",
    "town_official",
    "inspector",
    "enterprise_user",
    "expert",
    "system_read_only",
    "system_read_write",
)
_STATUS = {"reason": "重大事故隐患", "document_number": "西应急停字〔2026〕1号"}


@dataclass
class World:
    client: AsyncClient
    admin: dict[str, str]
    token: Callable[..., dict[str, str]]
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    subject: str = ""  # the audit trail's actor_subject of the role under test
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)  # system role → its API key

    async def get(self, name: str) -> dict[str, Any]:
        if name not in self.objects:
            self.objects[name] = await BUILDERS[name](self)
        return self.objects[name]

    async def id(self, name: str) -> str:
        return str((await self.get(name))["id"])

    async def headers(self, role: str) -> dict[str, str]:
        if role == "admin":
            self.subject = "test-admin"
            return self.admin
        if role.startswith("system_"):
            if role not in self.keys:
                self.keys[role] = await create_api_key(
                    self.client,
                    self.admin,
                    region_code=COUNTY,
                    sectors=["hazchem"],
                    read_only=role == "system_read_only",
                )
            key = self.keys[role]
            self.subject = f"api_key:{key['prefix']}"
            return key_header(key)
        claims: dict[str, Any] = {
            "committee_office": {"region_code": COUNTY},
            "department_official": {"department_id": await self.id("supervising_department")},
            "town_official": {"region_code": TOWN},
            "inspector": {"department_id": await self.id("supervising_department")},
            "enterprise_user": {"enterprise_id": await self.id("enterprise")},
            "expert": {},
        }[role]
        self.subject = f"matrix-{role}"
        return self.token(role, sub=self.subject, **claims)


async def _dept(w: World, **kw: Any) -> dict[str, Any]:
    return await create_department(w.client, w.admin, **kw)


async def _ent(w: World, **kw: Any) -> dict[str, Any]:
    return await create_enterprise(w.client, w.admin, **kw)


BUILDERS: dict[str, Callable[[World], Awaitable[dict[str, Any]]]] = {
    # In every scoped role's scope (the matrix targets).
    "supervising_department": lambda w: _dept(w, sectors=["hazchem", "industry_trade"]),
    "department": lambda w: _dept(
        w, name="北山街道办事处", kind="town_government", region_code=TOWN, sectors=[]
    ),
    "enterprise": lambda w: _ent(w, sectors=["hazchem"]),
    "person": lambda w: _staff(w, "enterprise"),
    "api_key": lambda w: create_api_key(w.client, w.admin),
    # Outside some scopes (the scope proof).
    "town_official": lambda w: _official(w, "department"),
    "department_elsewhere": lambda w: _dept(w, region_code=OTHER_COUNTY),
    "official_elsewhere": lambda w: _official(w, "department_elsewhere"),
    "enterprise_elsewhere": lambda w: _ent(w, region_code=OTHER_TOWN, sectors=["hazchem"]),
    "staff_elsewhere": lambda w: _staff(w, "enterprise_elsewhere"),
    "enterprise_other_sector": lambda w: _ent(w, sectors=["fire"]),
    "staff_other_sector": lambda w: _staff(w, "enterprise_other_sector"),
}


BUILDERS.update(domains.BUILDERS)
# What the callers need (see ``World.headers``), built once per module: ``base_world``.
CALLER_OBJECTS = ("supervising_department", "enterprise")


async def _staff(w: World, enterprise: str) -> dict[str, Any]:
    return await create_person(w.client, w.admin, enterprise_id=await w.id(enterprise))


async def _official(w: World, department: str) -> dict[str, Any]:
    return await create_person(w.client, w.admin, department_id=await w.id(department))


Op = Callable[[AsyncClient, dict[str, str], World], Awaitable[Response]]


def _get(path: str, target: str | None = None) -> Op:
    async def op(c: AsyncClient, h: dict[str, str], w: World) -> Response:
        url = path.format(id=await w.id(target)) if target else path
        return await c.get(url, headers=h)

    return op


def _send(
    method: str,
    path: str,
    target: str | None,
    body: Callable[[World], Awaitable[dict[str, Any] | None]],
    before: Callable[[World, str], Awaitable[None]] | None = None,
) -> Op:
    async def op(c: AsyncClient, h: dict[str, str], w: World) -> Response:
        target_id = await w.id(target) if target else ""
        if before is not None:
            await before(w, target_id)
        return await c.request(method, path.format(id=target_id), json=await body(w), headers=h)

    return op


def _body(value: dict[str, Any] | None) -> Callable[[World], Awaitable[dict[str, Any] | None]]:
    async def make(w: World) -> dict[str, Any] | None:
        return value

    return make


async def _person_body(w: World) -> dict[str, Any]:
    return {
        "name": "新员工",
        "kind": "enterprise_staff",
        "position": "other",
        "enterprise_id": await w.id("enterprise"),
        "roles": ["enterprise_user"],
    }


async def _enterprise_body(w: World) -> dict[str, Any]:
    return {"uscc": make_uscc(), "name": "新登记单位", "region_code": TOWN, "sectors": ["hazchem"]}


def _admin_action(path: str, body: dict[str, Any]) -> Callable[[World, str], Awaitable[None]]:
    async def run(w: World, target_id: str) -> None:
        response = await w.client.post(path.format(id=target_id), json=body, headers=w.admin)
        assert response.status_code == 200, response.text

    return run


D, E, P = "/api/v1/departments", "/api/v1/enterprises", "/api/v1/people"
OPS: dict[tuple[str, str], Op] = {
    ("departments", "list"): _get(D),
    ("departments", "read"): _get(D + "/{id}", "department"),
    ("departments", "create"): _send(
        "POST", D, None, _body({"name": "住建局", "kind": "department", "region_code": COUNTY})
    ),
    ("departments", "update"): _send("PATCH", D + "/{id}", "department", _body({"phone": "1"})),
    ("departments", "delete"): _send("DELETE", D + "/{id}", "department", _body(None)),
    ("enterprises", "list"): _get(E),
    ("enterprises", "read"): _get(E + "/{id}", "enterprise"),
    ("enterprises", "create"): _send("POST", E, None, _enterprise_body),
    ("enterprises", "update"): _send(
        "PATCH", E + "/{id}", "enterprise", _body({"address": "新地址"})
    ),
    ("enterprises", "delete"): _send("DELETE", E + "/{id}", "enterprise", _body(None)),
    ("enterprises", "suspend"): _send("POST", E + "/{id}/suspend", "enterprise", _body(_STATUS)),
    ("enterprises", "resume"): _send(
        "POST",
        E + "/{id}/resume",
        "enterprise",
        _body(_STATUS),
        before=_admin_action(E + "/{id}/suspend", _STATUS),
    ),
    ("enterprises", "close"): _send("POST", E + "/{id}/close", "enterprise", _body(_STATUS)),
    ("people", "list"): _get(P),
    ("people", "read"): _get(P + "/{id}", "person"),
    ("people", "create"): _send("POST", P, None, _person_body),
    ("people", "update"): _send("PATCH", P + "/{id}", "person", _body({"name": "改名"})),
    ("people", "delete"): _send("DELETE", P + "/{id}", "person", _body(None)),
    ("people", "deactivate"): _send(
        "POST", P + "/{id}/deactivate", "person", _body({"reason": "离职"})
    ),
    ("people", "activate"): _send(
        "POST",
        P + "/{id}/activate",
        "person",
        _body({"reason": "返岗"}),
        before=_admin_action(P + "/{id}/deactivate", {"reason": "x"}),
    ),
    ("api-keys", "list"): _get("/api/v1/api-keys"),
    ("api-keys", "create"): _send("POST", "/api/v1/api-keys", None, _body({"name": "x"})),
    ("api-keys", "revoke"): _send("DELETE", "/api/v1/api-keys/{id}", "api_key", _body(None)),
    ("audit-events", "list"): _get("/api/v1/audit-events"),
}

# fmt: off
#                                  adm co dep town insp ent exp s-ro s-rw
MATRIX: dict[tuple[str, str], str] = {
    ("departments", "list"):        "A  A  A   A    A    F   F   A    A",
    ("departments", "read"):        "A  A  A   A    A    F   F   A    A",
    ("departments", "create"):      "A  A  F   F    F    F   F   F    F",
    ("departments", "update"):      "A  A  F   F    F    F   F   F    F",
    ("departments", "delete"):      "A  A  F   F    F    F   F   F    F",
    ("enterprises", "list"):        "A  A  A   A    A    A   A   A    A",
    ("enterprises", "read"):        "A  A  A   A    A    A   H   A    A",
    ("enterprises", "create"):      "A  A  A   A    F    F   F   F    A",
    ("enterprises", "update"):      "A  A  A   A    F    A   F   F    A",
    ("enterprises", "delete"):      "A  A  F   F    F    F   F   F    F",
    ("enterprises", "suspend"):     "A  A  A   A    F    F   F   F    A",
    ("enterprises", "resume"):      "A  A  A   A    F    F   F   F    A",
    ("enterprises", "close"):       "A  A  A   A    F    F   F   F    A",
    ("people", "list"):             "A  A  A   A    A    A   F   A    A",
    ("people", "read"):             "A  A  A   A    A    A   F   A    A",
    ("people", "create"):           "A  A  F   F    F    F   F   F    F",
    ("people", "update"):           "A  A  F   F    F    F   F   F    F",
    ("people", "delete"):           "A  A  F   F    F    F   F   F    F",
    ("people", "deactivate"):       "A  A  F   F    F    F   F   F    F",
    ("people", "activate"):         "A  A  F   F    F    F   F   F    F",
    ("api-keys", "list"):           "A  F  F   F    F    F   F   F    F",
    ("api-keys", "create"):         "A  F  F   F    F    F   F   F    F",
    ("api-keys", "revoke"):         "A  F  F   F    F    F   F   F    F",
    ("audit-events", "list"):       "A  A  F   F    F    F   F   F    F",
}
# fmt: on
OPS.update(domains.OPS)  # hazards, visits, responsibility, events, webhooks, public reports
MATRIX.update(domains.MATRIX)
_STATUSES = {"F": 403, "H": 404}


def _cells() -> list[Any]:
    cells = []
    for (resource, operation), row in MATRIX.items():
        outcomes = row.split()
        assert len(outcomes) == len(ROLES), (resource, operation)
        for role, outcome in zip(ROLES, outcomes, strict=True):
            cells.append(
                pytest.param(
                    resource,
                    operation,
                    role,
                    outcome,
                    id=f"{resource}-{operation}-{role}-{outcome}",
                )
            )
    return cells


# --- Shared rows: one module transaction; each test in a savepoint of it ----------------------


@dataclass
class Shared:
    connection: AsyncConnection
    world: World


@pytest.fixture(scope="module")
async def base_world(
    engine: AsyncEngine, shared_app: Any, settings: Settings
) -> AsyncIterator[Shared]:
    """What the callers need, which every test builds anyway (``World.headers``): built once
    in a transaction left open for the module. Tests run in savepoints of it (``connection``),
    so each starts from these rows and sees no other test's writes. Only this module's tests
    run while it is open, in that same transaction, so its row locks block nobody."""
    async with engine.connect() as conn:
        trans = await conn.begin()
        async with api_client(bind_app(shared_app, settings, conn)) as http:
            admin = make_token(settings, "admin", sub="test-admin")
            world = World(http, admin, functools.partial(make_token, settings))
            for name in CALLER_OBJECTS:
                await world.get(name)
            for role in ROLES:
                if role.startswith("system_"):
                    await world.headers(role)
        yield Shared(conn, world)
        if trans.is_active:
            await trans.rollback()


@pytest.fixture
async def connection(base_world: Shared) -> AsyncIterator[AsyncConnection]:
    """The suite's ``connection`` (behind ``client``) for this module: a savepoint of
    ``base_world``'s transaction, rolled back after the test."""
    savepoint = await base_world.connection.begin_nested()
    yield base_world.connection
    if savepoint.is_active:
        await savepoint.rollback()


def new_world(
    shared: Shared,
    client: AsyncClient,
    admin: dict[str, str],
    token: Callable[..., dict[str, str]],
) -> World:
    """A test's world: the shared rows, then whatever the test builds (its own copy)."""
    return World(
        client, admin, token, objects=dict(shared.world.objects), keys=dict(shared.world.keys)
    )


def test_matrix_covers_every_operation() -> None:
    assert set(MATRIX) == set(OPS)


@pytest.mark.parametrize(("resource", "operation", "role", "outcome"), _cells())
async def test_access(
    client: AsyncClient,
    admin: dict[str, str],
    token: Callable[..., dict[str, str]],
    connection: AsyncConnection,
    base_world: Shared,
    resource: str,
    operation: str,
    role: str,
    outcome: str,
) -> None:
    world = new_world(base_world, client, admin, token)
    headers = await world.headers(role)
    response = await OPS[(resource, operation)](client, headers, world)
    if outcome == "A":
        assert 200 <= response.status_code < 300, response.text
        return
    assert response.status_code == _STATUSES[outcome], response.text
    if outcome == "F":
        codes = {"permission_denied", "forbidden"} | domains.FORBIDDEN_CODES
        assert response.json()["code"] in codes, response.text
    # A refusal leaves nothing behind: not even an audit row in the caller's name.
    trail = await connection.execute(
        text("SELECT count(*) FROM audit_event WHERE actor_subject = :s"), {"s": world.subject}
    )
    assert trail.scalar_one() == 0


# --- Scope: out-of-scope rows never appear, in lists or by id -----------------------------------

# Which resource each scope object belongs to (its list and read URLs).
SCOPE_OBJECTS: dict[str, str] = {
    "department": D,
    "department_elsewhere": D,
    "enterprise": E,
    "enterprise_elsewhere": E,
    "enterprise_other_sector": E,
    "person": P,
    "town_official": P,
    "official_elsewhere": P,
    "staff_elsewhere": P,
    "staff_other_sector": P,
    **domains.SCOPE_OBJECTS,
}
_ELSEWHERE = {
    "department_elsewhere",
    "enterprise_elsewhere",
    "staff_elsewhere",
    "official_elsewhere",
} | domains.ELSEWHERE
_OTHER_SECTOR = {"enterprise_other_sector", "staff_other_sector"} | domains.OTHER_SECTOR
# Per role: objects it must never see. Resources it may not read at all are left out
# (they are 403 for it, as the matrix says).
INVISIBLE: dict[str, set[str]] = {
    "admin": set(),
    "committee_office": _ELSEWHERE,
    "department_official": _ELSEWHERE | _OTHER_SECTOR,
    "town_official": _ELSEWHERE,
    "inspector": _ELSEWHERE | _OTHER_SECTOR,
    "enterprise_user": set(SCOPE_OBJECTS)
    - {"enterprise", "person", "hazard", "visit"}  # its own unit, and what is at its unit
    - {"department", "department_elsewhere"},
    # an expert sees the hazards and visits it is assigned to: none here
    "expert": {"enterprise", "enterprise_elsewhere", "enterprise_other_sector"}
    | set(domains.SCOPE_OBJECTS),
    "system_read_only": _ELSEWHERE | _OTHER_SECTOR,
    "system_read_write": _ELSEWHERE | _OTHER_SECTOR,
}
UNREADABLE: dict[str, set[str]] = {  # resources the role may not read at all (403)
    "enterprise_user": {D},
    "expert": {D, P},
}


@pytest.mark.parametrize("role", ROLES)
async def test_out_of_scope_rows_never_appear(
    client: AsyncClient,
    admin: dict[str, str],
    token: Callable[..., dict[str, str]],
    base_world: Shared,
    role: str,
) -> None:
    world = new_world(base_world, client, admin, token)
    ids = {name: await world.id(name) for name in SCOPE_OBJECTS}
    headers = await world.headers(role)
    unreadable = UNREADABLE.get(role, set())
    listed: dict[str, set[str]] = {}
    for base in sorted(set(SCOPE_OBJECTS.values())):
        response = await client.get(base, params={"limit": 200}, headers=headers)
        if base in unreadable:
            assert response.status_code == 403, (base, response.text)
            continue
        assert response.status_code == 200, (base, response.text)
        assert response.json()["next_cursor"] is None
        listed[base] = {item["id"] for item in response.json()["items"]}
    for name, base in SCOPE_OBJECTS.items():
        by_id = await client.get(f"{base}/{ids[name]}", headers=headers)
        if base in unreadable:
            assert by_id.status_code == 403, (name, by_id.text)
        elif name in INVISIBLE[role]:
            assert ids[name] not in listed[base], f"{role} lists {name}"
            assert by_id.status_code == 404, (role, name, by_id.text)
        else:
            assert ids[name] in listed[base], f"{role} does not list {name}"
            assert by_id.status_code == 200, (role, name, by_id.text)
