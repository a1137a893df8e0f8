"""Every confidentiality guarantee: the reporter's identity is readable only by the handling
unit with the permission, each read audited; no list, read, history, receipt, event or audit
row reveals it; and the database holds it only encrypted."""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.config import Settings
from app.public_reports.crypto import DEV_KEY, KeyConfigurationError, check_key_settings
from tests.public_reports.builders import Token, find_report, setup_county, submit

URL = "/api/v1/public-reports"
NAME, CONTACT = "钱秘密", "13912345678"


async def test_identity_never_leaks(
    client: AsyncClient, admin: dict[str, str], token: Token, connection: AsyncConnection
) -> None:
    county = await setup_county(client, admin, token)
    t = county.tokens
    receipt = await submit(
        client,
        enterprise_id=county.enterprise["id"],
        anonymous=False,
        reporter={"name": NAME, "contact": CONTACT},
    )
    report = await find_report(client, t["committee"], receipt["receipt_code"])
    rid = report["id"]
    outputs: list[str] = []

    async def keep(method: str, url: str, headers: dict[str, str], **kw: Any) -> Any:
        response = await client.request(method, url, headers=headers, **kw)
        outputs.append(response.text + json.dumps(dict(response.headers)))
        return response

    # The whole life of the report, through every role's eyes.
    await keep(
        "POST",
        f"{URL}/{rid}/transfer",
        t["committee"],
        json={"department_id": county.emergency["id"], "reason": "危化品"},
    )
    await keep("POST", f"{URL}/{rid}/accept", t["emergency"], json={})
    await keep(
        "POST",
        f"{URL}/{rid}/verify",
        t["emergency"],
        json={
            "finding": "true",
            "method": "desk_check",
            "note": "属实",
            "create_hazards": [{"title": "违规存放", "description": "甲醇", "sector": "hazchem"}],
        },
    )
    await keep("POST", f"{URL}/{rid}/reply", t["emergency"], json={"public_reply": "属实"})
    await keep(
        "POST",
        f"{URL}/{rid}/reward",
        t["emergency"],
        json={"fine_amount": "100000", "document_number": "罚1号"},
    )
    for who in ("committee", "emergency", "emergency_inspector", "town", "admin"):
        await keep("GET", URL, t[who])
        await keep("GET", f"{URL}/{rid}", t[who])
        await keep("GET", f"{URL}/{rid}/history", t[who])
    await keep(
        "GET",
        f"{URL}/receipt/{receipt['receipt_code']}",
        {"X-Receipt-Secret": receipt["receipt_secret"]},
    )
    await keep("GET", "/api/v1/events", admin)
    await keep("GET", "/api/v1/audit", admin)

    # Who may not read the identity: other roles, other units, the committee office when it
    # is not the handling unit, the administrator, nobody without a token.
    refusals = {
        "committee": 403,
        "town": 403,
        "admin": 403,
        "emergency_inspector": 403,
        "housing": 404,
        "government": 404,
        "enterprise_user": 403,
        "expert": 403,
    }
    for who, status in refusals.items():
        response = await keep("GET", f"{URL}/{rid}/reporter", t[who])
        assert response.status_code == status, (who, response.text)
    assert (await client.get(f"{URL}/{rid}/reporter")).status_code == 401

    for output in outputs:
        assert NAME not in output, output[:300]
        assert CONTACT not in output, output[:300]

    # The handler reads it; the read is audited without the plaintext.
    seen = await client.get(f"{URL}/{rid}/reporter", headers=t["emergency"])
    assert seen.status_code == 200
    assert seen.json() == {
        "anonymous": False,
        "name": NAME,
        "contact": CONTACT,
        "callback_phone": None,
    }
    assert seen.headers["cache-control"] == "no-store"
    audit = (
        await connection.execute(
            text(
                "SELECT actor_role, changes FROM audit_event "
                "WHERE action = 'reporter_identity_read' AND resource_id = :rid"
            ),
            {"rid": rid},
        )
    ).all()
    assert [a[0] for a in audit] == ["department_official"]
    assert audit[0][1] == {"fields_read": ["contact", "name"]}
    # Nothing stored anywhere holds the plaintext: reports, history, outbox, audit,
    # idempotency records, rate windows.
    for table in (
        "public_report",
        "public_report_event",
        "outbox_event",
        "audit_event",
        "idempotency_record",
        "public_report_rate_window",
    ):
        dump = (
            await connection.execute(
                text(f"SELECT coalesce(string_agg(t::text, ' '), '') FROM {table} t")  # noqa: S608
            )
        ).scalar_one()
        assert NAME not in dump, table
        assert CONTACT not in dump, table
        assert receipt["receipt_secret"] not in dump, table
    intake_audit = (
        await connection.execute(
            text(
                "SELECT actor_role, client_address, changes FROM audit_event "
                "WHERE action = 'create' AND resource_id = :rid"
            ),
            {"rid": rid},
        )
    ).one()
    assert intake_audit[0] == "public"
    assert intake_audit[1] is None
    assert intake_audit[2]["reporter_identity"] == {"old": None, "new": "[encrypted]"}
    events = (
        await connection.execute(
            text("SELECT type, data FROM outbox_event WHERE subject = :s ORDER BY seq"),
            {"s": f"public_report/{rid}"},
        )
    ).all()
    assert [e[0].removeprefix("gov.anjian.public_report.") for e in events] == [
        "received",
        "transferred",
        "accepted",
        "verified",
        "closed",
        "reward_decided",
    ]
    assert all("content" not in e[1] and "reporter" not in json.dumps(e[1]) for e in events)
    actions = (
        (
            await connection.execute(
                text(
                    "SELECT action FROM audit_event WHERE resource_type = 'public_report' "
                    "AND resource_id = :rid ORDER BY seq"
                ),
                {"rid": rid},
            )
        )
        .scalars()
        .all()
    )
    assert actions == [
        "create",
        "transfer",
        "accept",
        "verify",
        "reply",
        "decide_reward",
        "reporter_identity_read",
    ]


async def test_anonymous_reporter_read(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    county = await setup_county(client, admin, token)
    receipt = await submit(client, enterprise_id=county.enterprise["id"])
    report = await find_report(client, county.tokens["committee"], receipt["receipt_code"])
    seen = await client.get(f"{URL}/{report['id']}/reporter", headers=county.tokens["committee"])
    assert seen.json() == {
        "anonymous": True,
        "name": None,
        "contact": None,
        "callback_phone": None,
    }


async def test_ciphertext_is_bound_to_its_report(
    client: AsyncClient, admin: dict[str, str], token: Token, connection: AsyncConnection
) -> None:
    county = await setup_county(client, admin, token)
    a = await submit(
        client,
        region_code="330106",
        subject_name="甲",
        anonymous=False,
        reporter={"name": NAME, "contact": CONTACT},
    )
    b = await submit(
        client,
        region_code="330106",
        subject_name="乙",
        anonymous=False,
        reporter={"name": "孙", "contact": "1"},
    )
    await connection.execute(
        text(
            "UPDATE public_report SET reporter_ciphertext = (SELECT reporter_ciphertext FROM "
            "public_report WHERE receipt_code = :a) WHERE receipt_code = :b"
        ),
        {"a": a["receipt_code"], "b": b["receipt_code"]},
    )
    report = await find_report(client, county.tokens["committee"], b["receipt_code"])
    swapped = await client.get(f"{URL}/{report['id']}/reporter", headers=county.tokens["committee"])
    assert swapped.status_code == 500  # never the other report's reporter
    assert swapped.json()["code"] == "reporter_identity_unreadable"
    assert NAME not in swapped.text


def test_development_key_refused_in_production(settings: Settings) -> None:
    assert Settings.model_fields["public_report_key"].default == DEV_KEY
    check_key_settings(settings)  # test environment: the default is fine
    production = settings.model_copy(update={"environment": "production"})
    with pytest.raises(KeyConfigurationError, match="production"):
        check_key_settings(production)
    for bad in ("not base64!", "c2hvcnQ="):
        with pytest.raises(KeyConfigurationError):
            check_key_settings(settings.model_copy(update={"public_report_key": bad}))


async def test_production_start_refuses_the_development_key(settings: Settings) -> None:
    """The router's lifespan runs the key check when the application starts."""
    from app.main import create_app

    production = settings.model_copy(
        update={"environment": "production", "jwks_url": "http://127.0.0.1:9/jwks"}
    )
    application = create_app(production)
    sent: list[MutableMapping[str, Any]] = []
    queue = [{"type": "lifespan.startup"}]

    async def receive() -> dict[str, Any]:
        return queue.pop(0) if queue else {"type": "lifespan.shutdown"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    with pytest.raises(KeyConfigurationError):
        await application(
            {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send
        )
    assert sent[0]["type"] == "lifespan.startup.failed"
