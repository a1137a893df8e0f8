"""The guards keyed by caller or signed by the server, attacked from outside through HTTP.

* cursors: full-length forgeries (right shape and length with a wrong MAC, a MAC made with
  another key, a tampered payload under the original MAC, a correctly signed cursor of another
  query or of another kind), for page cursors and sync cursors alike;
* everything keyed by the caller, used by two callers: idempotency records, cursors, the
  per-address rate limits, the principal cache;
* a 5xx answer is never stored for replay.

Cursors are built here from their documented format (``base64url(HMAC-SHA256(secret,
payload)[:16] + payload)``, payload the JSON of ``{"kind": …, …}``), not with the app's code.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

from fastapi.responses import JSONResponse
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection

from app.config import Settings
from app.main import create_app
from tests.api_keys.builders import create_api_key, key_header
from tests.conftest import bind_app
from tests.factories import (
    COUNTY,
    OTHER_TOWN,
    TOWN,
    create_department,
    create_enterprise,
    make_uscc,
)
from tests.people.builders import create_person

E = "/api/v1/enterprises"
Headers = dict[str, str]


# --- cursors, built and taken apart from the documented format ----------------------------------


def _split(cursor: str) -> tuple[bytes, bytes]:
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    return raw[:16], raw[16:]


def _join(mac: bytes, payload: bytes) -> str:
    return base64.urlsafe_b64encode(mac + payload).rstrip(b"=").decode()


def _sign(secret: str, payload: bytes) -> str:
    return _join(hmac.new(secret.encode(), payload, hashlib.sha256).digest()[:16], payload)


def _forgeries(secret: str, cursor: str) -> dict[str, str]:
    """Cursors of the real one's length and shape that the server must refuse."""
    mac, payload = _split(cursor)
    data = json.loads(payload)
    assert len(mac) == 16
    assert isinstance(data, dict)
    assert "kind" in data
    flipped = bytes([mac[0] ^ 0x01]) + mac[1:]
    tampered = dict(data)
    for name, value in data.items():
        if name != "kind":
            tampered[name] = value[::-1] if isinstance(value, (list, str)) else (value or 0) + 1
    tampered_payload = json.dumps(tampered, separators=(",", ":")).encode()
    forged = {
        "one bit of the MAC flipped": _join(flipped, payload),
        "MAC of all zeros": _join(bytes(16), payload),
        "MAC made with another key": _sign("another-secret-" + secret, payload),
        "payload changed under the original MAC": _join(mac, tampered_payload),
    }
    for name, value in forged.items():
        assert value != cursor, name
    assert len(forged["one bit of the MAC flipped"]) == len(cursor)
    return forged


def _invalid(response: Any, why: str) -> None:
    assert response.status_code == 400, (why, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_cursor", (why, response.text)


async def _enterprises(client: AsyncClient, admin: Headers, n: int, region: str = TOWN) -> None:
    for _ in range(n):
        await create_enterprise(client, admin, region_code=region)


async def test_forged_page_cursors_are_refused(
    client: AsyncClient, admin: Headers, settings: Settings
) -> None:
    await _enterprises(client, admin, 3)
    page = (await client.get(E, params={"limit": 1}, headers=admin)).json()
    cursor = page["next_cursor"]
    genuine = await client.get(E, params={"limit": 1, "cursor": cursor}, headers=admin)
    assert genuine.status_code == 200
    assert genuine.json()["items"][0]["id"] != page["items"][0]["id"]
    for why, forged in _forgeries(settings.cursor_secret, cursor).items():
        _invalid(await client.get(E, params={"limit": 1, "cursor": forged}, headers=admin), why)
    _, payload = _split(cursor)
    data = json.loads(payload)
    # correctly signed, but for another query (the kind names resource, sort and filters)
    other = {**data, "kind": "page:" + "0" * 16}
    signed_other = _sign(settings.cursor_secret, json.dumps(other).encode())
    _invalid(
        await client.get(E, params={"limit": 1, "cursor": signed_other}, headers=admin),
        "signed, another query's kind",
    )
    for params in ({"sort": "-name"}, {"region": COUNTY}, {"sector": "hazchem"}):
        _invalid(
            await client.get(E, params={"limit": 1, "cursor": cursor, **params}, headers=admin),
            f"another query {params}",
        )
    # correctly signed, right kind, values that do not fit the keys: 400, never 500
    for values in ([], [1], ["not-a-time", "not-a-uuid"], [None, None, None]):
        body = json.dumps({**data, "v": values}).encode()
        _invalid(
            await client.get(
                E,
                params={"limit": 1, "cursor": _sign(settings.cursor_secret, body)},
                headers=admin,
            ),
            f"values {values}",
        )
    # a page cursor is not a sync cursor, and the other way round
    _invalid(await client.get(E, params={"changed_since": cursor}, headers=admin), "page as sync")
    sync = (await client.get(E, params={"changed_since": "0"}, headers=admin)).json()
    _invalid(
        await client.get(E, params={"cursor": sync["next_cursor"]}, headers=admin), "sync as page"
    )


async def test_forged_sync_cursors_are_refused(
    client: AsyncClient, admin: Headers, settings: Settings
) -> None:
    await _enterprises(client, admin, 2)
    first = (await client.get(E, params={"changed_since": "0"}, headers=admin)).json()
    cursor = first["next_cursor"]
    assert len(first["items"]) >= 2
    again = await client.get(E, params={"changed_since": cursor}, headers=admin)
    assert again.status_code == 200
    assert again.json()["items"] == []
    for why, forged in _forgeries(settings.cursor_secret, cursor).items():
        _invalid(await client.get(E, params={"changed_since": forged}, headers=admin), why)
    # signed, fresh, but of another resource's feed
    _, payload = _split(cursor)
    data = json.loads(payload)
    for kind in ("sync:department", "sync:hazard", "sync:", "page:enterprise"):
        other = _sign(settings.cursor_secret, json.dumps({**data, "kind": kind}).encode())
        _invalid(await client.get(E, params={"changed_since": other}, headers=admin), kind)
    departments = (
        await client.get("/api/v1/departments", params={"changed_since": "0"}, headers=admin)
    ).json()
    _invalid(
        await client.get(E, params={"changed_since": departments["next_cursor"]}, headers=admin),
        "a department feed's cursor",
    )
    # signed, right kind, issued beyond the retention: 410 (resync), not a replay of old rows
    old = {**data, "t": int(time.time()) - (settings.sync_retention_days + 1) * 86400}
    expired = await client.get(
        E,
        params={"changed_since": _sign(settings.cursor_secret, json.dumps(old).encode())},
        headers=admin,
    )
    assert expired.status_code == 410, expired.text
    assert expired.json()["code"] == "sync_cursor_expired"
    recent = {**data, "t": int(time.time()) - (settings.sync_retention_days - 1) * 86400}
    kept = await client.get(
        E,
        params={"changed_since": _sign(settings.cursor_secret, json.dumps(recent).encode())},
        headers=admin,
    )
    assert kept.status_code == 200, kept.text


async def test_a_cursor_never_widens_another_callers_scope(
    client: AsyncClient, admin: Headers, token: Callable[..., Headers]
) -> None:
    await _enterprises(client, admin, 3, TOWN)
    await _enterprises(client, admin, 3, OTHER_TOWN)
    first = (await client.get(E, params={"limit": 1}, headers=admin)).json()
    town = token("town_official", region_code=TOWN)
    mine = (await client.get(E, params={"limit": 200}, headers=town)).json()["items"]
    assert len(mine) == 3
    followed = await client.get(
        E, params={"limit": 200, "cursor": first["next_cursor"]}, headers=town
    )
    assert followed.status_code == 200, followed.text
    items = followed.json()["items"]
    assert {e["region_code"] for e in items} <= {TOWN}
    assert {e["id"] for e in items} <= {e["id"] for e in mine}
    # a sync cursor is bound to the scope it was issued for: the admin's, presented by the
    # town, is refused (410: resync from 0), never a window on the admin's rows
    feed = (await client.get(E, params={"changed_since": "0", "limit": 2}, headers=admin)).json()
    rest = await client.get(
        E, params={"changed_since": feed["next_cursor"], "limit": 200}, headers=town
    )
    assert rest.status_code == 410, rest.text
    assert rest.json()["code"] == "sync_scope_changed"


# --- idempotency across callers; 5xx never stored -----------------------------------------------


def _department(name: str) -> dict[str, Any]:
    return {"name": name, "kind": "department", "region_code": COUNTY}


async def test_idempotency_records_belong_to_their_caller(
    client: AsyncClient, token: Callable[..., Headers], admin: Headers
) -> None:
    first = token("admin", sub="idem-admin-1")
    second = token("admin", sub="idem-admin-2")
    key = {"Idempotency-Key": "same-key-two-callers"}
    a = await client.post("/api/v1/departments", json=_department("甲局"), headers={**first, **key})
    assert a.status_code == 201, a.text
    # another caller, same key, another body: its own request, not "key reused"
    b = await client.post(
        "/api/v1/departments", json=_department("乙局"), headers={**second, **key}
    )
    assert b.status_code == 201, b.text
    assert "idempotent-replayed" not in b.headers
    assert b.json()["id"] != a.json()["id"]
    # another caller, same key, same body: a new resource, never the first caller's answer
    c = await client.post("/api/v1/departments", json=_department("甲局"), headers={**admin, **key})
    assert c.status_code == 201, c.text
    assert "idempotent-replayed" not in c.headers
    assert c.json()["id"] not in (a.json()["id"], b.json()["id"])
    # each caller's own retry replays its own answer
    again = await client.post(
        "/api/v1/departments", json=_department("乙局"), headers={**second, **key}
    )
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == b.json()["id"]
    # API keys are callers too
    k1 = key_header(await create_api_key(client, admin, read_only=False, region_code=COUNTY))
    k2 = key_header(await create_api_key(client, admin, read_only=False, region_code=COUNTY))
    body = {"uscc": make_uscc(), "name": "密钥甲", "region_code": TOWN, "sectors": ["hazchem"]}
    x = await client.post(E, json=body, headers={**k1, **key})
    assert x.status_code == 201, x.text
    y = await client.post(
        E, json={**body, "uscc": make_uscc(), "name": "密钥乙"}, headers={**k2, **key}
    )
    assert y.status_code == 201, y.text
    assert y.json()["name"] == "密钥乙"


async def test_a_server_error_is_not_stored_for_replay(
    settings: Settings, connection: AsyncConnection
) -> None:
    """A 5xx (500 and 503 alike) is no answer: the retry with the same key runs again. A 4xx
    is an answer: it is replayed."""
    application = bind_app(create_app(settings), settings, connection)
    calls: dict[str, int] = {}

    async def flaky(name: str) -> JSONResponse:
        calls[name] = calls.get(name, 0) + 1
        status = {"500": 500, "503": 503, "409": 409}[name] if calls[name] == 1 else 201
        return JSONResponse({"call": calls[name]}, status_code=status)

    application.add_api_route("/api/v1/test-flaky/{name}", flaky, methods=["POST"])
    transport = ASGITransport(app=application, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://test") as http:
        for name in ("500", "503"):
            url = f"/api/v1/test-flaky/{name}"
            headers = {"Idempotency-Key": f"flaky-{name}", "Authorization": "Bearer x"}
            failed = await http.post(url, json={}, headers=headers)
            assert failed.status_code == int(name)
            retried = await http.post(url, json={}, headers=headers)
            assert retried.status_code == 201, (name, retried.text)
            assert "idempotent-replayed" not in retried.headers
            assert retried.json() == {"call": 2}
            replayed = await http.post(url, json={}, headers=headers)
            assert replayed.headers["idempotent-replayed"] == "true"
            assert replayed.json() == {"call": 2}
        headers = {"Idempotency-Key": "flaky-409", "Authorization": "Bearer x"}
        conflict = await http.post("/api/v1/test-flaky/409", json={}, headers=headers)
        assert conflict.status_code == 409
        kept = await http.post("/api/v1/test-flaky/409", json={}, headers=headers)
        assert kept.status_code == 409
        assert kept.headers["idempotent-replayed"] == "true"
    assert calls == {"500": 2, "503": 2, "409": 1}


# --- the principal cache ---------------------------------------------------------------------


async def test_principal_cache_keeps_callers_apart_and_expires(
    app: Any,
    settings: Settings,
    connection: AsyncConnection,
    client: AsyncClient,
    admin: Headers,
    token: Callable[..., Headers],
) -> None:
    """With the cache on (production's setting), each credential keeps its own principal, and
    a revoked key or a deactivated person is refused once the cache lifetime has passed."""
    ttl = 0.5
    bind_app(app, settings.model_copy(update={"principal_cache_seconds": ttl}), connection)
    await _enterprises(client, admin, 1, TOWN)
    await _enterprises(client, admin, 1, OTHER_TOWN)
    here = token("town_official", region_code=TOWN)
    there = token("town_official", region_code=OTHER_TOWN)
    for _ in range(2):  # the second round is answered from the cache
        for headers, region in ((here, TOWN), (there, OTHER_TOWN)):
            listed = await client.get(E, params={"limit": 200}, headers=headers)
            assert {e["region_code"] for e in listed.json()["items"]} == {region}
    # a revoked API key
    created = await create_api_key(client, admin, region_code=COUNTY)
    key = key_header(created)
    assert (await client.get(E, headers=key)).status_code == 200
    revoked = await client.delete(f"/api/v1/api-keys/{created['id']}", headers=admin)
    assert revoked.status_code == 204
    await asyncio.sleep(ttl + 0.2)
    refused = await client.get(E, headers=key)
    assert refused.status_code == 401, refused.text
    # a deactivated person
    dept = await create_department(client, admin)
    person = await create_person(client, admin, department_id=dept["id"], subject="cached-p1")
    own = token("department_official", sub="cached-p1", department_id=dept["id"])
    assert (await client.get(E, headers=own)).status_code == 200
    off = await client.post(
        f"/api/v1/people/{person['id']}/deactivate", json={"reason": "离职"}, headers=admin
    )
    assert off.status_code == 200, off.text
    await asyncio.sleep(ttl + 0.2)
    gone = await client.get(E, headers=own)
    assert gone.status_code == 401, gone.text
    assert gone.json()["code"] == "account_inactive"


# --- If-Match -------------------------------------------------------------------------------


async def test_if_match_forms(client: AsyncClient, admin: Headers) -> None:
    """``"n"``, ``W/"n"`` and ``*`` are honoured; anything else is 400; a stale one is 412."""
    dept = await create_department(client, admin)
    url = f"/api/v1/departments/{dept['id']}"

    async def patch(if_match: str, phone: str) -> Any:
        return await client.patch(
            url, json={"phone": phone}, headers={**admin, "If-Match": if_match}
        )

    strong = await patch('"1"', "1")
    assert strong.status_code == 200, strong.text
    assert strong.headers["etag"] == '"2"'
    weak = await patch(' W/"2" ', "2")
    assert weak.status_code == 200, weak.text
    anything = await patch("*", "3")
    assert anything.status_code == 200, anything.text
    assert anything.json()["version"] == 4
    for stale in ('"3"', '"5"', 'W/"1"', '"0"'):
        refused = await patch(stale, "x")
        assert refused.status_code == 412, (stale, refused.text)
        assert refused.json()["code"] == "version_mismatch"
    for bad in ('"abc"', '"-4"', "W/", '""', "4.0", 'W/"x4"'):
        response = await patch(bad, "y")
        assert response.status_code == 400, (bad, response.text)
        assert response.json()["code"] == "invalid_if_match"
    unclosed = await patch('"4', "4")  # the quotes are trimmed, not required
    assert unclosed.status_code == 200, unclosed.text
    final = await client.get(url, headers=admin)
    assert final.json()["version"] == 5
