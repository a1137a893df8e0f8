"""Fully translated errors: a zh-CN answer's field messages are Chinese, and wrong-status texts
name the action and the allowed statuses in both languages."""

from __future__ import annotations

import re
from collections.abc import Callable

from httpx import AsyncClient

from tests.factories import COUNTY, create_enterprise
from tests.hazards.builders import make_world

Token = Callable[..., dict[str, str]]
ZH = {"Accept-Language": "zh-CN"}
HAN = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORD = re.compile(r"\b(?:[A-Za-z]{4,})\b")


def _chinese(msg: str) -> bool:
    """A Chinese sentence: English only where it quotes codes (after ：or in brackets)."""
    sentence = re.sub(r"[（(][^）)]*[）)]", "", msg.split("：", 1)[0])
    return bool(HAN.match(msg)) and not ENGLISH_WORD.search(sentence)


async def test_field_messages_follow_the_language(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    bad_region = {"name": "某局", "kind": "department", "region_code": "999999", "sectors": []}
    zh = await client.post("/api/v1/departments", json=bad_region, headers={**admin, **ZH})
    assert zh.status_code == 422
    assert zh.json()["errors"][0]["msg"] == "未知的行政区划代码 999999"
    en = await client.post("/api/v1/departments", json=bad_region, headers=admin)
    assert en.json()["errors"][0]["msg"] == "Unknown region code 999999"
    assert "msg_zh" not in en.json()["errors"][0]

    # pydantic's own messages: every one Chinese in zh-CN, English in en
    body = {
        "uscc": "x",
        "name": "",
        "region_code": "33",
        "sectors": ["nope"],
        "location": {"lat": 200, "lon": "东"},
        "licences": [{"kind": "安全生产许可证"}],
        "size": 3,
        "extra": 1,
    }
    zh = await client.post("/api/v1/enterprises", json=body, headers={**admin, **ZH})
    assert zh.status_code == 422
    errors = zh.json()["errors"]
    assert len(errors) >= 7
    for error in errors:
        assert _chinese(error["msg"]), error
    by_field = {tuple(e["loc"][1:]): e["msg"] for e in errors}
    assert by_field[("name",)] == "长度不能少于 1 个字符"
    assert by_field[("extra",)] == "不允许的字段"
    assert by_field[("licences", 0, "number")] == "缺少必填字段"
    assert by_field[("location", "lat")] == "须小于或等于 90"
    assert "取值须为以下之一" in by_field[("sectors", 0)]
    en = await client.post("/api/v1/enterprises", json=body, headers=admin)
    assert all(not HAN.search(e["msg"]) for e in en.json()["errors"])

    # a validator's own message, and a query parameter
    zh = await client.get("/api/v1/hazards", params={"limit": "x"}, headers={**admin, **ZH})
    assert zh.json()["errors"][0]["msg"] == "须为整数"


async def test_wrong_status_names_the_action_and_the_allowed_statuses(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    w = await make_world(client, token, admin)
    hz = await w.registered()
    for lang, words in (
        ("en", ["cannot register", "allowed from: reported"]),
        (
            "zh-CN",
            ["已登记（registered）", "「登记（register）」", "允许的状态：已上报（reported）"],
        ),
    ):
        again = await client.post(
            f"/api/v1/hazards/{hz['id']}/register",
            json={"level": "general", "treatment_type": "by_deadline"},
            headers={**admin, "Accept-Language": lang},
        )
        assert again.status_code == 409
        assert again.json()["code"] == "hazard_not_reported"
        for word in words:
            assert word in again.json()["detail"]

    ent = await create_enterprise(client, admin)
    for lang, words in (
        ("en", ["cannot resume", "allowed from: suspended"]),
        ("zh-CN", ["「恢复生产经营」", "允许的状态：", "（suspended）"]),
    ):
        resumed = await client.post(
            f"/api/v1/enterprises/{ent['id']}/resume",
            json={"reason": "整改完成", "document_number": "西应急复〔2026〕1号"},
            headers={**admin, "Accept-Language": lang},
        )
        assert resumed.status_code == 409
        for word in words:
            assert word in resumed.json()["detail"]
    assert COUNTY  # the county of the test world
