"""Verification (desk check / visit) creating and linking hazards, the reply, and rewards."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from httpx import AsyncClient

from app.config import Settings
from app.core import clock
from app.public_reports.rewards import reward_amount
from tests.factories import TOWN
from tests.public_reports.builders import County, Token, act, find_report, setup_county, submit
from tests.public_reports.conftest import tune

URL = "/api/v1/public-reports"


async def _accepted(
    client: AsyncClient, county: County, **body: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    receipt = await submit(client, **body)
    report = await find_report(client, county.tokens["committee"], receipt["receipt_code"])
    await act(
        client,
        county.tokens["committee"],
        report["id"],
        "transfer",
        {"department_id": county.emergency["id"], "reason": "危化品"},
    )
    await act(client, county.tokens["emergency"], report["id"], "accept")
    return receipt, report


async def test_desk_check_creates_and_links_hazards(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    county = await setup_county(client, admin, token)
    handler = county.tokens["emergency"]
    receipt, report = await _accepted(client, county, region_code=TOWN, subject_name="无名仓库")
    rid = report["id"]
    found = {
        "title": "仓库违规存放危险化学品",
        "description": "约 2 吨甲醇露天存放",
        "sector": "hazchem",
        "category": "unsafe_condition",
    }
    # A free-text report must be tied to a unit before hazards can be created.
    missing = await act(
        client,
        handler,
        rid,
        "verify",
        {"finding": "true", "method": "desk_check", "note": "书面核查", "create_hazards": [found]},
        status=422,
    )
    assert missing["code"] == "hazard_needs_enterprise"
    await act(
        client,
        handler,
        rid,
        "verify",
        {"finding": "false", "method": "desk_check", "note": "x", "create_hazards": [found]},
        status=422,
    )
    await act(
        client,
        handler,
        rid,
        "verify",
        {"finding": "true", "method": "verification_visit", "note": "x"},
        status=422,
    )
    verified = await act(
        client,
        handler,
        rid,
        "verify",
        {
            "finding": "partly_true",
            "method": "desk_check",
            "note": "部分属实",
            "enterprise_id": county.enterprise["id"],
            "create_hazards": [found],
        },
    )
    assert verified["status"] == "verified"
    assert verified["finding"] == "partly_true"
    assert verified["enterprise_id"] == county.enterprise["id"]
    assert len(verified["hazard_ids"]) == 1
    hazard = await client.get(f"/api/v1/hazards/{verified['hazard_ids'][0]}", headers=handler)
    assert hazard.status_code == 200, hazard.text
    assert hazard.json()["source"] == "public_report"
    assert hazard.json()["report_id"] == rid
    assert hazard.json()["enterprise_id"] == county.enterprise["id"]
    await act(
        client,
        handler,
        rid,
        "verify",
        {"finding": "true", "method": "desk_check", "note": "x"},
        status=409,
    )

    # A second report of the same matter links the existing hazard instead of a new one.
    _, second = await _accepted(client, county, enterprise_id=county.enterprise["id"])
    linked = await act(
        client,
        handler,
        second["id"],
        "verify",
        {
            "finding": "true",
            "method": "desk_check",
            "note": "同一隐患",
            "link_hazard_ids": verified["hazard_ids"],
        },
    )
    assert linked["hazard_ids"] == verified["hazard_ids"]
    bogus = await act(
        client,
        handler,
        rid,
        "verify",
        {
            "finding": "true",
            "method": "desk_check",
            "note": "x",
            "link_hazard_ids": ["0190f5a0-0000-7000-8000-000000000000"],
        },
        status=422,
    )
    assert bogus["code"] == "reference_not_found"  # an unknown hazard: the reference rule

    closed = await act(
        client, handler, rid, "reply", {"public_reply": "经核查部分属实，已责令整改。"}
    )
    assert closed["status"] == "closed"
    seen = (
        await client.get(
            f"{URL}/receipt/{receipt['receipt_code']}",
            headers={"X-Receipt-Secret": receipt["receipt_secret"]},
        )
    ).json()
    assert seen["status"] == "closed"
    assert seen["public_reply"] == "经核查部分属实，已责令整改。"
    assert "finding_note" not in seen
    assert "hazard_ids" not in seen
    await act(client, handler, rid, "reply", {"public_reply": "again"}, status=409)


async def test_verification_visit_must_be_report_verification(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    county = await setup_county(client, admin, token)
    _, report = await _accepted(client, county, enterprise_id=county.enterprise["id"])
    refused = await act(
        client,
        county.tokens["emergency"],
        report["id"],
        "verify",
        {
            "finding": "true",
            "method": "verification_visit",
            "note": "现场核查",
            "visit_id": "0190f5a0-0000-7000-8000-000000000000",
        },
        status=422,
    )
    assert refused["code"] == "reference_not_found"  # an unknown visit: the reference rule
    handler = county.tokens["emergency"]

    async def visit(kind: str) -> str:
        created = await client.post(
            "/api/v1/inspection-visits",
            headers=handler,
            json={
                "type": kind,
                "enterprise_id": county.enterprise["id"],
                "planned_on": clock.today_china().isoformat(),
                "purpose": "举报核查",
            },
        )
        assert created.status_code == 201, created.text
        return str(created.json()["id"])

    other_kind = await visit("departmental")
    await act(
        client,
        handler,
        report["id"],
        "verify",
        {"finding": "true", "method": "verification_visit", "note": "x", "visit_id": other_kind},
        status=422,
    )
    visit_id = await visit("report_verification")
    verified = await act(
        client,
        handler,
        report["id"],
        "verify",
        {
            "finding": "true",
            "method": "verification_visit",
            "note": "现场核查属实",
            "visit_id": visit_id,
            "create_hazards": [{"title": "消防通道堵塞", "description": "x", "sector": "fire"}],
        },
    )
    assert verified["visit_id"] == visit_id
    assert verified["finding_method"] == "verification_visit"
    hazard = await client.get(f"/api/v1/hazards/{verified['hazard_ids'][0]}", headers=handler)
    assert hazard.json()["visit_id"] == visit_id


def test_reward_rule_is_clamped(settings: Settings) -> None:
    assert reward_amount(settings, Decimal("10000")) == Decimal("3000.00")
    assert reward_amount(settings, Decimal("100000")) == Decimal("15000.00")
    assert reward_amount(settings, Decimal("5000000")) == Decimal("300000.00")
    custom = settings.model_copy(
        update={"public_report_reward_percent": 20.0, "public_report_reward_min": 1000}
    )
    assert reward_amount(custom, Decimal("10000")) == Decimal("2000.00")


async def test_only_the_first_valid_reporter_is_rewarded(
    app: Any, client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    county = await setup_county(client, admin, token)
    handler = county.tokens["emergency"]
    ent = {"enterprise_id": county.enterprise["id"]}
    first_receipt, first = await _accepted(client, county, **ent)
    second_receipt, second = await _accepted(client, county, **ent)
    assert second["duplicate_of_id"] == first["id"]
    decide = {"fine_amount": "200000", "document_number": "西应急罚〔2026〕8号"}
    # Not yet verified: no reward.
    early = await act(client, handler, first["id"], "reward", decide, status=409)
    assert early["code"] == "reward_needs_true_finding"
    for r in (first, second):
        await act(
            client,
            handler,
            r["id"],
            "verify",
            {"finding": "true", "method": "desk_check", "note": "属实"},
        )
    late = await act(client, handler, second["id"], "reward", decide, status=409)
    assert late["code"] == "reward_not_first_reporter"
    no_permission = await act(
        client, county.tokens["emergency_inspector"], first["id"], "reward", decide, status=403
    )
    assert no_permission["code"] == "permission_denied"
    tune(app, public_report_reward_percent=10.0)
    decided = await act(client, handler, first["id"], "reward", decide)
    assert decided["reward"]["status"] == "decided"
    assert decided["reward"]["amount"] == "20000.00"
    assert decided["reward"]["fine_amount"] == "200000.00"
    await act(client, handler, first["id"], "reward", decide, status=409)
    # The reporter learns of it through the receipt.
    seen = (
        await client.get(
            f"{URL}/receipt/{first_receipt['receipt_code']}",
            headers={"X-Receipt-Secret": first_receipt["receipt_secret"]},
        )
    ).json()
    assert seen["reward"] == {"status": "decided", "amount": "20000.00"}
    other = await client.get(
        f"{URL}/receipt/{second_receipt['receipt_code']}",
        headers={"X-Receipt-Secret": second_receipt["receipt_secret"]},
    )
    assert other.json()["reward"] == {"status": "none", "amount": None}
    # Payment to the holder of the receipt: the secret must match.
    wrong = await act(
        client,
        handler,
        first["id"],
        "reward/payment",
        {"receipt_secret": second_receipt["receipt_secret"], "payment_reference": "P-1"},
        status=422,
    )
    assert wrong["code"] == "receipt_secret_mismatch"
    paid = await act(
        client,
        handler,
        first["id"],
        "reward/payment",
        {"receipt_secret": first_receipt["receipt_secret"], "payment_reference": "财付 2026-77"},
    )
    assert paid["reward"]["status"] == "paid"
    assert paid["reward"]["paid_on"]
    await act(
        client,
        handler,
        first["id"],
        "reward/payment",
        {"receipt_secret": first_receipt["receipt_secret"], "payment_reference": "x"},
        status=409,
    )
    seen = (
        await client.get(
            f"{URL}/receipt/{first_receipt['receipt_code']}",
            headers={"X-Receipt-Secret": first_receipt["receipt_secret"]},
        )
    ).json()
    assert seen["reward"]["status"] == "paid"


async def test_false_first_report_lets_the_next_valid_one_be_rewarded(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    county = await setup_county(client, admin, token)
    handler = county.tokens["emergency"]
    ent = {"enterprise_id": county.enterprise["id"]}
    _, first = await _accepted(client, county, **ent)
    _, second = await _accepted(client, county, **ent)
    await act(
        client,
        handler,
        first["id"],
        "verify",
        {"finding": "false", "method": "desk_check", "note": "不实"},
    )
    await act(
        client,
        handler,
        second["id"],
        "verify",
        {"finding": "true", "method": "desk_check", "note": "属实"},
    )
    await act(
        client,
        handler,
        first["id"],
        "reward",
        {"fine_amount": "50000", "document_number": "x"},
        status=409,
    )
    decided = await act(
        client, handler, second["id"], "reward", {"fine_amount": "50000", "document_number": "x"}
    )
    assert decided["reward"]["amount"] == "7500.00"
