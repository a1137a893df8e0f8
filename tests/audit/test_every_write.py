"""Every write endpoint appends exactly one audit row, with the right diff.

Table-driven: a new write endpoint is covered by appending one ``Write`` row (tests/audit/kit.py)
to ``WRITES`` here or to the domain tables in tests/audit/writes_*.py: a setup that builds what
it needs, the request (and who sends it), the expected action and diff, and — where one
operation legitimately writes more than one record — the further rows by resource type
(``also``), each explained where declared. ``test_every_write_operation_is_in_the_table``
fails for any write operation of the OpenAPI document without a row (or an ``EXEMPT`` entry).
A row describing a known bug carries ``bug=...`` and runs as a strict xfail.
``AUDIT_SHOW=1 pytest -s`` prints the rows each write left (handy when adding a row).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any
from unittest.mock import ANY

import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.api_keys.builders import create_api_key
from tests.audit.kit import DELETED, Ctx, Kit, Write, changed, created
from tests.audit.writes_domains import DOMAIN_WRITES
from tests.audit.writes_hazards import HAZARD_WRITES
from tests.factories import COUNTY, TOWN, create_department, create_enterprise, make_uscc
from tests.people.builders import create_person


async def a_department(kit: Kit) -> Ctx:
    return {
        "department": await create_department(
            kit.client, kit.admin, name="应急管理局", sectors=["hazchem"]
        )
    }


async def an_enterprise(kit: Kit) -> Ctx:
    return {"enterprise": await create_enterprise(kit.client, kit.admin, name="甲化工")}


async def a_suspended_enterprise(kit: Kit) -> Ctx:
    ent = await create_enterprise(kit.client, kit.admin)
    response = await kit.client.post(
        f"/api/v1/enterprises/{ent['id']}/suspend",
        headers=kit.admin,
        json={"reason": "整顿", "document_number": "停字1号"},
    )
    assert response.status_code == 200
    return {"enterprise": response.json()}


async def a_person(kit: Kit) -> Ctx:
    dept = await create_department(kit.client, kit.admin)
    person = await create_person(
        kit.client, kit.admin, department_id=dept["id"], name="张三", phone="13812345678"
    )
    return {"department": dept, "person": person}


async def an_inactive_person(kit: Kit) -> Ctx:
    ctx = await a_person(kit)
    response = await kit.client.post(
        f"/api/v1/people/{ctx['person']['id']}/deactivate",
        json={"reason": "调离"},
        headers=kit.admin,
    )
    assert response.status_code == 200
    return ctx


async def an_api_key(kit: Kit) -> Ctx:
    return {"api_key": await create_api_key(kit.client, kit.admin)}


_ENTERPRISE_BODY: dict[str, Any] = {
    "name": "乙化工",
    "region_code": TOWN,
    "sectors": ["hazchem"],
    "address": "某路1号",
    "location": {"lat": 30.25, "lon": 120.13},
    "size": "small",
    "risk_grade": "yellow",
    "main_responsible_person": {"name": "张三", "phone": "13812345678"},
}


def _enterprise_body(ctx: Ctx) -> dict[str, Any]:
    ctx["uscc"] = make_uscc()
    return {**_ENTERPRISE_BODY, "uscc": ctx["uscc"]}


def _enterprise_created(ctx: Ctx, body: dict[str, Any]) -> dict[str, Any]:
    b = _ENTERPRISE_BODY
    return created(
        uscc=ctx["uscc"],
        name=b["name"],
        kind="enterprise",
        region_code=TOWN,
        address=b["address"],
        lat=30.25,
        lon=120.13,
        sectors=["hazchem"],
        main_responsible_person=b["main_responsible_person"],
        size="small",
        risk_grade="yellow",
        licences=[],
    )


def _status(old: str, new: str, old_reason: str | None, old_doc: str | None) -> Any:
    return lambda ctx, body: changed(
        status=(old, new),
        status_reason=(old_reason, "理由"),
        status_document_number=(old_doc, "文号2"),
    )


WRITES: list[Write] = [
    # --- departments ---
    Write(
        "create_department",
        "POST",
        "/api/v1/departments",
        "department",
        "create",
        lambda ctx, body: created(
            name="住建局", kind="department", region_code=COUNTY, sectors=["construction"]
        ),
        body=lambda ctx: {
            "name": "住建局",
            "kind": "department",
            "region_code": COUNTY,
            "sectors": ["construction"],
        },
        status=201,
    ),
    Write(
        "update_department",
        "PATCH",
        "/api/v1/departments/{department[id]}",
        "department",
        "update",
        lambda ctx, body: changed(
            name=("应急管理局", "应急管理局（新）"), sectors=(["hazchem"], ["hazchem", "gas"])
        ),
        setup=a_department,
        body=lambda ctx: {"name": "应急管理局（新）", "sectors": ["hazchem", "gas"]},
    ),
    Write(
        "delete_department",
        "DELETE",
        "/api/v1/departments/{department[id]}",
        "department",
        "delete",
        lambda ctx, body: DELETED,
        setup=a_department,
        status=204,
        resource_id=lambda ctx, body: ctx["department"]["id"],
    ),
    # --- enterprises ---
    Write(
        "create_enterprise",
        "POST",
        "/api/v1/enterprises",
        "enterprise",
        "create",
        _enterprise_created,
        body=_enterprise_body,
        status=201,
    ),
    Write(
        "update_enterprise",
        "PATCH",
        "/api/v1/enterprises/{enterprise[id]}",
        "enterprise",
        "update",
        lambda ctx, body: changed(name=("甲化工", "甲化工（更名）"), risk_grade=("yellow", "red")),
        setup=an_enterprise,
        body=lambda ctx: {"name": "甲化工（更名）", "risk_grade": "red"},
        headers={"If-Match": '"1"'},
    ),
    Write(
        "delete_enterprise",
        "DELETE",
        "/api/v1/enterprises/{enterprise[id]}",
        "enterprise",
        "delete",
        lambda ctx, body: DELETED,
        setup=an_enterprise,
        status=204,
        resource_id=lambda ctx, body: ctx["enterprise"]["id"],
    ),
    Write(
        "suspend_enterprise",
        "POST",
        "/api/v1/enterprises/{enterprise[id]}/suspend",
        "enterprise",
        "suspend",
        _status("operating", "suspended", None, None),
        setup=an_enterprise,
        body=lambda ctx: {"reason": "理由", "document_number": "文号2"},
    ),
    Write(
        "resume_enterprise",
        "POST",
        "/api/v1/enterprises/{enterprise[id]}/resume",
        "enterprise",
        "resume",
        _status("suspended", "operating", "整顿", "停字1号"),
        setup=a_suspended_enterprise,
        body=lambda ctx: {"reason": "理由", "document_number": "文号2"},
    ),
    Write(
        "close_enterprise",
        "POST",
        "/api/v1/enterprises/{enterprise[id]}/close",
        "enterprise",
        "close",
        _status("operating", "closed", None, None),
        setup=an_enterprise,
        body=lambda ctx: {"reason": "理由", "document_number": "文号2"},
    ),
    # --- people ---
    Write(
        "create_person",
        "POST",
        "/api/v1/people",
        "person",
        "create",
        lambda ctx, body: created(
            name="李四",
            kind="inspector",
            certificate_number="3301001",
            department_id=ctx["department"]["id"],
            region_code=COUNTY,
            roles=["inspector"],
            phone="13987654321",
            active=True,
        ),
        setup=a_department,
        status=201,
        body=lambda ctx: {
            "name": "李四",
            "kind": "inspector",
            "certificate_number": "3301001",
            "department_id": ctx["department"]["id"],
            "roles": ["inspector"],
            "phone": "13987654321",
        },
    ),
    Write(
        "update_person",
        "PATCH",
        "/api/v1/people/{person[id]}",
        "person",
        "update",
        lambda ctx, body: changed(name=("张三", "张三丰"), phone=("13812345678", None)),
        setup=a_person,
        body=lambda ctx: {"name": "张三丰", "phone": None},
    ),
    Write(
        "delete_person",
        "DELETE",
        "/api/v1/people/{person[id]}",
        "person",
        "delete",
        lambda ctx, body: DELETED,
        setup=a_person,
        status=204,
        resource_id=lambda ctx, body: ctx["person"]["id"],
    ),
    Write(
        "deactivate_person",
        "POST",
        "/api/v1/people/{person[id]}/deactivate",
        "person",
        "deactivate",
        lambda ctx, body: {**changed(active=(True, False)), "reason": {"old": None, "new": "离职"}},
        setup=a_person,
        body=lambda ctx: {"reason": "离职"},
    ),
    Write(
        "activate_person",
        "POST",
        "/api/v1/people/{person[id]}/activate",
        "person",
        "activate",
        lambda ctx, body: {**changed(active=(False, True)), "reason": {"old": None, "new": "返岗"}},
        setup=an_inactive_person,
        body=lambda ctx: {"reason": "返岗"},
    ),
    # --- api keys ---
    Write(
        "create_api_key",
        "POST",
        "/api/v1/api-keys",
        "api_key",
        "create",
        lambda ctx, body: created(
            name="省平台", role="system", sectors=["fire"], read_only=False, prefix=body["prefix"]
        ),
        body=lambda ctx: {"name": "省平台", "sectors": ["fire"], "read_only": False},
        status=201,
    ),
    Write(
        "revoke_api_key",
        "DELETE",
        "/api/v1/api-keys/{api_key[id]}",
        "api_key",
        "revoke",
        lambda ctx, body: {"revoked_at": {"old": None, "new": ANY}},
        setup=an_api_key,
        status=204,
        resource_id=lambda ctx, body: ctx["api_key"]["id"],
    ),
]

WRITES += HAZARD_WRITES + DOMAIN_WRITES

# Write operations that deliberately have no row, each with its reason. Keep it small: an
# operation lands here only when it cannot leave an audit row by design.
EXEMPT: dict[str, str] = {}


async def _max_seq(connection: AsyncConnection) -> int:
    return int(
        (
            await connection.execute(text("SELECT coalesce(max(seq), 0) FROM audit_event"))
        ).scalar_one()
    )


def _params() -> list[Any]:
    return [
        pytest.param(
            w,
            id=w.test_id,
            marks=[pytest.mark.xfail(strict=True, reason=w.bug)] if w.bug else [],
        )
        for w in WRITES
    ]


@pytest.mark.parametrize("write", _params())
async def test_write_appends_one_audit_row(
    client: AsyncClient,
    admin: dict[str, str],
    token: Callable[..., dict[str, str]],
    connection: AsyncConnection,
    write: Write,
) -> None:
    ctx = await write.setup(Kit(client, admin, token, connection))
    body = write.body(ctx)
    if write.actor is None:
        actor: dict[str, str] = {}
    else:
        actor = admin if write.actor == "admin" else ctx["as"][write.actor]
    before = await _max_seq(connection)
    sending: dict[str, Any] = write.multipart(ctx) if write.multipart else {"json": body}
    response = await client.request(
        write.method,
        write.path.format(**ctx),
        headers={**actor, **write.headers, "User-Agent": "audit-test/1.0"},
        **sending,
    )
    assert response.status_code == write.status, response.text
    payload = response.json() if response.content else {}
    rows = [
        dict(r)
        for r in (
            await connection.execute(
                text("SELECT * FROM audit_event WHERE seq > :seq ORDER BY seq"), {"seq": before}
            )
        ).mappings()
    ]
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["resource_type"]] = counts.get(r["resource_type"], 0) + 1
    expected_counts = dict(write.also)
    expected_counts[write.resource_type] = expected_counts.get(write.resource_type, 0) + 1
    seen = [(r["resource_type"], r["action"], r["resource_id"], r["changes"]) for r in rows]
    assert counts == expected_counts, repr(seen)
    main = [
        r
        for r in rows
        if (r["resource_type"], r["action"]) == (write.resource_type, write.action)
        and r["resource_id"] == write.resource_id(ctx, payload)
    ]
    assert len(main) == 1, repr((write.action, write.resource_id(ctx, payload), seen))
    row = main[0]
    if os.environ.get("AUDIT_SHOW"):
        print(f"\n{write.test_id}: {seen!r}")
    assert row["changes"] == write.expected_changes(ctx, payload), repr(row["changes"])
    if write.actor is None:
        # The public: no address nor user agent is kept (they could name a whistle-blower).
        assert (row["actor_subject"], row["actor_role"]) == ("public", "public")
        assert (row["client_address"], row["user_agent"]) == (None, None)
    elif write.actor == "admin":
        assert (row["actor_subject"], row["actor_role"]) == ("test-admin", "admin")
    else:
        assert (row["actor_subject"], row["actor_role"]) == (f"audit-{write.actor}", write.actor)
    for r in rows:
        assert r["request_id"] == response.headers["x-request-id"]
        assert r["user_agent"] == (None if write.actor is None else "audit-test/1.0")
        assert r["occurred_at"] is not None


def _write_operations(spec: dict[str, Any]) -> dict[str, str]:
    """operationId → "METHOD path" for every write operation the app serves."""
    return {
        op["operationId"]: f"{method.upper()} {path}"
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if method in ("post", "patch", "put", "delete")
    }


def test_every_write_operation_is_in_the_table(openapi_schema: dict[str, Any]) -> None:
    operations = _write_operations(openapi_schema)
    ids = [w.test_id for w in WRITES]
    assert len(ids) == len(set(ids)), "a WRITES row is declared twice"
    names = [w.name for w in WRITES]
    covered = set(names) | set(EXEMPT)
    assert covered <= set(operations), (
        f"rows for operations the app no longer serves: {covered - set(operations)}"
    )
    missing = {op: route for op, route in operations.items() if op not in covered}
    assert not missing, f"write operations without an audit row in WRITES (or EXEMPT): {missing}"
