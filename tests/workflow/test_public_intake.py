"""Public report intake: an anonymous callback phone (confidential), identity without a name,
and a four-character report."""

from __future__ import annotations

import json
from collections.abc import Callable

from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.public_reports.builders import find_report, report_body, setup_county, submit

Token = Callable[..., dict[str, str]]
URL = "/api/v1/public-reports"
PHONE = "13700001234"


async def test_anonymous_callback_phone_is_confidential(
    client: AsyncClient, admin: dict[str, str], token: Token, connection: AsyncConnection
) -> None:
    county = await setup_county(client, admin, token)
    t = county.tokens
    receipt = await submit(
        client, enterprise_id=county.enterprise["id"], content="燃气泄漏", callback_phone=PHONE
    )
    report = await find_report(client, t["committee"], receipt["receipt_code"])
    assert report["anonymous"] is True
    assert report["content"] == "燃气泄漏"
    assert PHONE not in json.dumps(report)
    # stored only encrypted
    raw = await connection.execute(
        text("SELECT reporter_ciphertext, content FROM public_report WHERE id = :id"),
        {"id": report["id"]},
    )
    blob, _ = raw.one()
    assert blob is not None
    assert PHONE.encode() not in bytes(blob)
    # the handling unit sees it (and the read is audited); nobody else
    seen = await client.get(f"{URL}/{report['id']}/reporter", headers=t["committee"])
    assert seen.status_code == 200
    assert seen.json() == {
        "anonymous": True,
        "name": None,
        "contact": None,
        "callback_phone": PHONE,
    }
    for who in ("emergency", "admin", "town"):
        other = await client.get(f"{URL}/{report['id']}/reporter", headers=t[who])
        assert other.status_code in (403, 404)
    audited = await connection.execute(
        text(
            "SELECT changes FROM audit_event WHERE action = 'reporter_identity_read' "
            "AND resource_id = :rid"
        ),
        {"rid": report["id"]},
    )
    assert [r[0] for r in audited] == [{"fields_read": ["callback_phone"]}]
    # nor in the receipt the reporter sees
    status = await client.get(
        f"{URL}/receipt/{receipt['receipt_code']}",
        headers={"X-Receipt-Secret": receipt["receipt_secret"]},
    )
    assert status.status_code == 200
    assert PHONE not in status.text


async def test_identity_without_a_name_and_short_reports(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    county = await setup_county(client, admin, token)
    receipt = await submit(
        client,
        enterprise_id=county.enterprise["id"],
        anonymous=False,
        reporter={"contact": "13900002222"},
        content="着火",
    )
    report = await find_report(client, county.tokens["committee"], receipt["receipt_code"])
    seen = await client.get(f"{URL}/{report['id']}/reporter", headers=county.tokens["committee"])
    assert seen.json()["name"] is None
    assert seen.json()["contact"] == "13900002222"

    for body, field in (
        (report_body(enterprise_id=county.enterprise["id"], content="火"), "content"),
        (
            report_body(
                enterprise_id=county.enterprise["id"],
                anonymous=False,
                reporter={"contact": "1"},
                callback_phone=PHONE,
            ),
            None,
        ),
        (
            report_body(enterprise_id=county.enterprise["id"], callback_phone="abc"),
            "callback_phone",
        ),
    ):
        refused = await client.post(URL, json=body, headers={"Accept-Language": "zh-CN"})
        assert refused.status_code == 422, refused.text
        error = refused.json()["errors"][0]
        if field:
            assert error["loc"][-1] == field
        else:
            assert error["msg"] == "实名举报的联系方式填写在举报人信息中"
