"""Known-answer vectors for the unified social credit code (GB 32100-2015), from outside the app.

Real codes published by the registered units themselves (business licences and annual reports
on the National Enterprise Credit Information Publicity System) must be accepted, and codes
crafted to break exactly one rule must be refused with that rule's code. Nothing here calls the
app's ``check_character``: the expected check characters are the published ones.
"""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient

from tests.factories import TOWN
from tests.uscc_reference import ALPHABET, FORBIDDEN, reference_check_character

# (code, holder) as published; positions 3-8 are the registering authority's region.
REAL_CODES = [
    ("91350100M000100Y43", "a unit registered in Fuzhou (350100), cited in issue 19"),
    ("91440300708461136T", "深圳市腾讯计算机系统有限公司"),
    ("91330100716105852F", "阿里巴巴（中国）有限公司"),
    ("914403001922038216", "华为技术有限公司"),
    ("91110000802100433B", "北京百度网讯科技有限公司"),
    ("91110108551385082Q", "北京小米科技有限责任公司"),
    ("91440400192548256N", "珠海格力电器股份有限公司"),
    ("91440300192317458F", "比亚迪股份有限公司"),
    ("911100007109250324", "中国移动通信集团有限公司"),
]

BODY: dict[str, Any] = {"name": "测试单位", "region_code": TOWN, "sectors": ["fire"]}


async def post(client: AsyncClient, headers: dict[str, str], code: str) -> Any:
    return await client.post("/api/v1/enterprises", json={**BODY, "uscc": code}, headers=headers)


def test_reference_implementation_agrees_with_the_published_codes() -> None:
    for code, _holder in REAL_CODES:
        assert reference_check_character(code[:17]) == code[17], code


@pytest.mark.parametrize(("code", "holder"), REAL_CODES)
async def test_real_codes_are_accepted(
    client: AsyncClient, admin: dict[str, str], code: str, holder: str
) -> None:
    created = await post(client, admin, code.lower())
    assert created.status_code == 201, (holder, created.text)
    assert created.json()["uscc"] == code


async def test_every_single_substitution_is_refused(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    """Mod-31 with these weights detects any one wrong character, in any position."""
    for code, _holder in REAL_CODES[:3]:
        for position in (*range(8, 17), 17):
            current = code[position]
            other = ALPHABET[(ALPHABET.index(current) + 7) % 31]
            forged = code[:position] + other + code[position + 1 :]
            response = await post(client, admin, forged)
            assert response.status_code == 422, (forged, response.text)
            assert response.json()["code"] == "uscc_check_character", forged


async def test_adjacent_transpositions_are_refused(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    """Swapping two neighbouring different characters changes the weighted sum (the weights
    differ), so a code whose digits were swapped — or a check computed with two weights
    swapped — never agrees."""
    checked = 0
    for code, _holder in REAL_CODES:
        for i in range(8, 16):
            if code[i] == code[i + 1]:
                continue
            forged = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            response = await post(client, admin, forged)
            assert response.status_code == 422, forged
            assert response.json()["code"] == "uscc_check_character", forged
            checked += 1
    assert checked > 40


async def test_each_rule_has_its_code(client: AsyncClient, admin: dict[str, str]) -> None:
    real = REAL_CODES[1][0]  # 91440300708461136T
    cases: dict[str, str] = {
        real[:17]: "uscc_length",
        real + "0": "uscc_length",
        "": "uscc_length",
        # a non-digit where the county code belongs, with a correct check character
        "91A403007084611" + "36": "uscc_region",
        # a well-formed county that does not exist (99xxxx), correct check character
        "91999999708461136": "uscc_region",
    }
    # correct check characters for the crafted bodies (else the check rule would answer)
    for body in ("91A403007084611" + "36", "91999999708461136"):
        cases.pop(body)
        first17 = body[:17]
        cases[first17 + reference_check_character(first17)] = "uscc_region"
    for bad in FORBIDDEN:
        cases[real[:10] + bad + real[11:]] = "uscc_charset"
    cases[real[:10] + "*" + real[11:]] = "uscc_charset"
    cases[real[:10] + "中" + real[11:]] = "uscc_charset"
    for code, rule in cases.items():
        response = await post(client, admin, code)
        assert response.status_code == 422, (code, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == rule, (code, response.json())


async def test_published_code_in_a_wrong_case_or_with_spaces_is_normalised(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    created = await post(client, admin, "  91440300708461136t ")
    assert created.status_code == 201, created.text
    assert created.json()["uscc"] == "91440300708461136T"
    again = await post(client, admin, "91440300708461136T")
    assert again.status_code == 409
    assert again.json()["code"] == "enterprise_uscc_taken"
