"""The reference table: every ``*_id`` / ``*_ids`` field of every write's request body (as the
served OpenAPI document declares it, at any depth) is resolved through the caller's scope by
``app.references``. A new field that is not in the table fails here; a field in the table is
proven checked through HTTP (an id that does not exist is 422 ``reference_not_found`` naming
that field, exactly the answer an out-of-scope id gets)."""

from __future__ import annotations

import uuid
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.auth.policy import POLICY
from app.auth.principal import Principal, Role
from app.references import field_ref, unseen_references
from tests.hazards.builders import hazard_body

WRITES = ("post", "put", "patch")


def _resolve(schema: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema


def _fields(
    schema: dict[str, Any], doc: dict[str, Any], path: tuple[str, ...], seen: frozenset[str]
) -> list[tuple[str, ...]]:
    """Paths (``("members", "[]", "person_id")``) of every id-like property."""
    if "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        if name in seen:
            return []
        return _fields(_resolve(schema, doc), doc, path, seen | {name})
    found: list[tuple[str, ...]] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            found += _fields(sub, doc, path, seen)
    if "items" in schema:
        found += _fields(schema["items"], doc, (*path, "[]"), seen)
    for name, sub in schema.get("properties", {}).items():
        if name.endswith(("_id", "_ids")):
            found.append((*path, name))
        else:
            found += _fields(sub, doc, (*path, name), seen)
    return found


def id_fields(doc: dict[str, Any]) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(method, path, content type, field path) of every id-like field of every write."""
    rows = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method not in WRITES:
                continue
            for content_type, media in op.get("requestBody", {}).get("content", {}).items():
                for field in _fields(media.get("schema", {}), doc, (), frozenset()):
                    rows.append((method.upper(), path, content_type, field))
    return rows


def test_every_id_field_of_every_write_is_in_the_reference_table(
    openapi_schema: dict[str, Any],
) -> None:
    rows = id_fields(openapi_schema)
    assert len(rows) > 50  # the walk reaches the bodies (guards the test itself)
    missing = [r for r in rows if field_ref(r[0], r[1], r[3][-1]) is None]
    assert not missing, f"add these fields to app.references.FIELDS: {missing}"
    unexplained = [
        r
        for r in rows
        if (ref := field_ref(r[0], r[1], r[3][-1])) and not ref.resolve and not ref.why
    ]
    assert not unexplained


def _body(field: tuple[str, ...], value: Any) -> Any:
    if not field:
        return value
    head, rest = field[0], field[1:]
    if head == "[]":
        return [_body(rest, value)]
    return {head: _body(rest, value)}


def _checked_rows(doc: dict[str, Any]) -> list[tuple[str, str, str, tuple[str, ...]]]:
    return [r for r in id_fields(doc) if (ref := field_ref(r[0], r[1], r[3][-1])) and ref.resolve]


async def test_every_checked_field_refuses_an_unknown_id(
    connection: AsyncConnection, openapi_schema: dict[str, Any]
) -> None:
    """The resolver of every checked field, through the function every write request runs
    (``current_principal`` → ``app.references.unseen_references``): for an administrator (who
    sees everything) a random id is unknown, so each field must come back as an error naming
    it. That an out-of-scope id gets the same answer is shown through HTTP by
    tests/auth/test_holes.py."""
    admin = Principal(role=Role.admin, subject="references", permissions=POLICY[Role.admin])
    session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")
    failures = []
    rows = _checked_rows(openapi_schema)
    assert len(rows) > 40
    for method, path, _, field in rows:
        unknown = str(uuid.uuid4())
        value: Any = [unknown] if field[-1].endswith("_ids") else unknown
        errors = await unseen_references(session, admin, method, path, _body(field, value))
        wanted = ["body", *(0 if part == "[]" else part for part in field)]
        if field[-1].endswith("_ids"):
            wanted.append(0)
        if [e["loc"] for e in errors] != [wanted]:
            failures.append((method, path, field, errors))
    await session.close()
    assert not failures, failures


async def test_an_unknown_reference_is_a_422_naming_the_field_through_http(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    unknown = str(uuid.uuid4())
    response = await client.post("/api/v1/hazards", json=hazard_body(unknown), headers=admin)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "reference_not_found"
    assert [e["loc"] for e in body["errors"]] == [["body", "enterprise_id"]]
