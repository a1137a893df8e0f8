"""The public intake and the receipt: no account, abuse controls, the same 404 for every
refusal."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.factories import COUNTY, TOWN
from tests.public_reports.builders import Token, find_report, report_body, setup_county, submit
from tests.public_reports.conftest import tune

URL = "/api/v1/public-reports"


async def test_anonymous_intake_and_receipt(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    county = await setup_county(client, admin, token)
    response = await client.post(URL, json=report_body(enterprise_id=county.enterprise["id"]))
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["location"] == f"{URL}/receipt/{receipt['receipt_code']}"
    assert len(receipt["receipt_code"]) == 12
    assert len(receipt["receipt_secret"]) >= 20
    assert receipt["status"] == "received"
    looked = await client.get(
        response.headers["location"], headers={"X-Receipt-Secret": receipt["receipt_secret"]}
    )
    assert looked.status_code == 200
    assert looked.json() == {
        "receipt_code": receipt["receipt_code"],
        "status": "received",
        "received_on": receipt["received_on"],
        "public_reply": None,
        "replied_at": None,
        "reward": {"status": "none", "amount": None},
    }
    # Lower-case codes are accepted as typed by hand.
    lower = await client.get(
        f"{URL}/receipt/{receipt['receipt_code'].lower()}",
        headers={"X-Receipt-Secret": receipt["receipt_secret"]},
    )
    assert lower.status_code == 200
    report = await find_report(client, county.tokens["committee"], receipt["receipt_code"])
    assert report["anonymous"] is True
    assert report["region_code"] == TOWN
    assert report["sectors"] == ["hazchem"]
    assert report["assigned_department_id"] == county.committee["id"]


async def test_receipt_refusals_are_indistinguishable(client: AsyncClient) -> None:
    receipt = await submit(client, region_code=COUNTY, subject_name="某无证加油点")
    wrong = await client.get(
        f"{URL}/receipt/{receipt['receipt_code']}", headers={"X-Receipt-Secret": "not-the-secret"}
    )
    unknown = await client.get(
        f"{URL}/receipt/ZZZZZZZZZZZZ", headers={"X-Receipt-Secret": receipt["receipt_secret"]}
    )
    assert wrong.status_code == unknown.status_code == 404

    def stable(body: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in body.items() if k not in ("request_id", "instance")}

    assert stable(wrong.json()) == stable(unknown.json())
    assert wrong.json()["code"] == "receipt_not_found"
    assert set(wrong.headers) - {"x-request-id", "content-length"} == set(unknown.headers) - {
        "x-request-id",
        "content-length",
    }
    missing = await client.get(f"{URL}/receipt/{receipt['receipt_code']}")
    assert missing.status_code == 422


async def test_named_intake_is_encrypted_at_rest(
    client: AsyncClient, connection: AsyncConnection
) -> None:
    receipt = await submit(
        client,
        anonymous=False,
        region_code=TOWN,
        subject_name="某小作坊",
        reporter={"name": "赵密名", "contact": "13700007777"},
    )
    row = (
        (
            await connection.execute(
                text(
                    "SELECT p::text AS whole, reporter_ciphertext, receipt_secret_hash "
                    "FROM public_report p WHERE receipt_code = :c"
                ),
                {"c": receipt["receipt_code"]},
            )
        )
        .mappings()
        .one()
    )
    assert row["reporter_ciphertext"] is not None
    for plain in ("赵密名", "13700007777", receipt["receipt_secret"]):
        assert plain not in row["whole"]
        assert plain.encode() not in bytes(row["reporter_ciphertext"])
    assert row["receipt_secret_hash"] != receipt["receipt_secret"]


async def test_intake_validation(client: AsyncClient, admin: dict[str, str], token: Token) -> None:
    county = await setup_county(client, admin, token)
    ent = {"enterprise_id": county.enterprise["id"]}
    cases: list[tuple[dict[str, Any], int, str]] = [
        (report_body(**ent, reporter={"name": "甲", "contact": "1"}), 422, "validation_failed"),
        (report_body(**ent, anonymous=False), 422, "validation_failed"),
        (report_body(), 422, "validation_failed"),  # neither enterprise nor subject
        (report_body(subject_name="某厂"), 422, "validation_failed"),  # no region
        (
            report_body(enterprise_id="0190f5a0-0000-7000-8000-000000000000"),
            422,
            "enterprise_not_found",
        ),
        (report_body(subject_name="某厂", region_code="999999"), 422, "region_unknown"),
        (report_body(**ent, channel="fax"), 422, "validation_failed"),
        (report_body(**ent, category="noise"), 422, "validation_failed"),
        (report_body(**ent, content="x" * 5001), 422, "content_too_long"),
        (
            report_body(**ent, photo_ids=["0190f5a0-0000-7000-8000-000000000000"] * 10),
            422,
            "too_many_photos",
        ),
        (report_body(**ent, extra="x"), 422, "validation_failed"),
    ]
    for body, status, code in cases:
        response = await client.post(URL, json=body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["code"] == code, (body, response.text)
    form = await client.post(URL, data={"channel": "web"})
    assert form.status_code == 415
    too_big = await client.post(URL, json=report_body(**ent, content="x" * 70_000))
    assert too_big.status_code == 413
    keyed = await client.post(URL, json=report_body(**ent), headers={"Idempotency-Key": "k1"})
    assert keyed.status_code == 400
    assert keyed.json()["code"] == "idempotency_key_not_accepted"


async def test_rate_limits_per_address(app: Any, client: AsyncClient) -> None:
    tune(app, public_report_intake_per_window=2, public_report_receipt_per_window=3)
    here = {"X-Forwarded-For": "203.0.113.7"}
    body = report_body(region_code=COUNTY, subject_name="某厂")
    for _ in range(2):
        assert (await client.post(URL, json=body, headers=here)).status_code == 201
    refused = await client.post(URL, json=body, headers=here)
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["retry-after"]) <= 3600
    # Invalid requests count too; another address is not affected.
    assert (await client.post(URL, json={}, headers=here)).status_code == 429
    there = {"X-Forwarded-For": "198.51.100.9"}
    receipt = (await client.post(URL, json=body, headers=there)).json()
    lookup = {**there, "X-Receipt-Secret": "guess"}
    statuses = [
        (await client.get(f"{URL}/receipt/{receipt['receipt_code']}", headers=lookup)).status_code
        for _ in range(4)
    ]
    assert statuses == [404, 404, 404, 429]


async def test_rate_windows_store_no_address(
    app: Any, client: AsyncClient, connection: AsyncConnection
) -> None:
    await client.post(
        URL,
        json=report_body(region_code=COUNTY, subject_name="某厂"),
        headers={"X-Forwarded-For": "192.0.2.55"},
    )
    rows = (
        await connection.execute(
            text("SELECT string_agg(w::text, ' ') FROM public_report_rate_window w")
        )
    ).scalar_one()
    assert rows
    assert "192.0.2.55" not in rows


async def test_openapi_marks_public_routes(client: AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    intake = spec["paths"][URL]["post"]
    assert intake["operationId"] == "submit_public_report"
    assert intake["security"] == []
    assert "429" in intake["responses"]
    receipt = spec["paths"][URL + "/receipt/{receipt_code}"]["get"]
    assert receipt["security"] == []
