"""Enforcement documents printed: every kind, the facts on paper, the same scope as the JSON."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from httpx import AsyncClient

from app.core.clock import today_china
from tests.documents.pdf import pdf_text, squeeze
from tests.factories import OTHER_TOWN, create_enterprise
from tests.hazards.builders import World, in_days, make_world
from tests.visits.builders import inspector_member, plan_visit

Token = Callable[..., dict[str, str]]
URL = "/api/v1/enforcement-documents"
_n = iter(range(1, 10_000))


def cn(day: str) -> str:
    d = date.fromisoformat(day)
    return f"{d.year}年{d.month}月{d.day}日"


def doc(
    w: World, kind: str, hazards: list[dict[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "kind": kind,
        "number": f"西应急〔2026〕{next(_n)}号",
        "enterprise_id": w.ent_id,
        "issuer_name": "杭州市西湖区应急管理局",
        "issued_on": in_days(0),
        "legal_basis": "《中华人民共和国安全生产法》第六十五条",
        "content": "更换静电接地线并经检测合格",
        "hazard_ids": [h["id"] for h in hazards or []],
        **extra,
    }


async def issue(w: World, body: dict[str, Any]) -> dict[str, Any]:
    response = await w.client.post(URL, json=body, headers=w.dept)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def printed(w: World, document: dict[str, Any], headers: dict[str, str] | None = None) -> str:
    return pdf_text(await w.client.get(f"{URL}/{document['id']}.pdf", headers=headers or w.dept))


def common_facts(w: World, text: str, document: dict[str, Any]) -> None:
    for fact in (
        "杭州市西湖区应急管理局",
        document["number"],
        w.enterprise["name"],
        w.enterprise["uscc"],
        "西湖区某路1号",
        "主要负责人张三",
        "《中华人民共和国安全生产法》第六十五条",
        f"签发日期{cn(document['issued_on'])}",
        "（印章）",
    ):
        assert squeeze(fact) in text, fact


async def test_rectification_order_names_the_facts_deadline_and_signers(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    w = await make_world(client, token, admin)
    hz = await w.registered()
    visit = await plan_visit(
        client,
        w.dept,
        w.ent_id,
        members=[
            inspector_member("王检查"),
            {**inspector_member("赵执法"), "certificate_number": "33010620269999"},
        ],
    )
    order = await issue(
        w,
        doc(
            w,
            "rectification_order",
            [hz],
            due_on=in_days(20),
            served_on=in_days(1),
            visit_id=visit["id"],
            responsible_person={"name": "钱整改", "phone": "13800001111"},
        ),
    )
    text = await printed(w, order)
    common_facts(w, text, order)
    assert "责令限期整改指令书" in text
    assert squeeze(f"现责令你单位于{cn(in_days(20))}前整改完毕") in text
    assert hz["code"] in text
    assert squeeze(hz["title"]) in text
    assert "整改责任人：钱整改" in text
    assert f"送达日期{cn(in_days(1))}" in text
    assert "执法人员王检查执法证号：33010620260001" in text
    assert "赵执法执法证号：33010620269999" in text
    assert "被检查单位负责人（签收）张三" in text
    assert "行政复议" in text
    # Accept: application/pdf on the JSON read gives the same document; JSON stays JSON
    negotiated = await client.get(
        f"{URL}/{order['id']}", headers={**w.dept, "Accept": "application/pdf"}
    )
    assert pdf_text(negotiated) == text
    plain = await client.get(f"{URL}/{order['id']}", headers=w.dept)
    assert plain.headers["content-type"].startswith("application/json")


async def test_every_kind_prints_its_own_text(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    w = await make_world(client, token, admin)
    a, b = await w.rectifying(), await w.rectifying()
    cases: list[tuple[dict[str, Any], list[str]]] = []
    fine = await issue(w, doc(w, "penalty_decision", [a], amount="20000.00", grounds="refused"))
    cases.append(
        (fine, ["行政处罚决定书", "人民币20,000.00元（贰万元整）", "罚款金额", "十五日内"])
    )
    passed = await w.pending()
    recheck = await issue(
        w, doc(w, "re_check_opinion", [passed], outcome="passed", content="整改到位")
    )
    cases.append((recheck, ["整改复查意见书", "复查结论：验收通过", passed["code"], "整改到位"]))
    decision = await issue(w, doc(w, "on_site_decision", content="责令立即撤出作业人员"))
    cases.append(
        (decision, ["现场处理措施决定书", "现作出如下现场处理决定", "责令立即撤出作业人员"])
    )
    major = await w.planning()
    listing = await issue(
        w, doc(w, "listing_notice", [major], listing_level="county", due_on=in_days(15))
    )
    cases.append(
        (listing, ["重大事故隐患挂牌督办通知书", "县级挂牌督办", cn(in_days(15)), major["code"]])
    )
    suspension = await issue(
        w, doc(w, "suspension_decision", [b], grounds="refused", due_on=in_days(30))
    )
    cases.append((suspension, ["停产停业整顿决定书", f"整顿期限至{cn(in_days(30))}"]))
    for document, facts in cases:
        text = await printed(w, document)
        common_facts(w, text, document)
        for fact in facts:
            assert squeeze(fact) in text, (document["kind"], fact)
    w2 = await make_world(client, token, admin)
    hz = await w2.major_rectifying()
    for _ in range(3):
        await issue(w2, doc(w2, "penalty_decision", [hz], amount="10000", grounds="refused"))
    closure = await issue(
        w2, doc(w2, "closure_request", [hz], grounds="refused", content="提请予以关闭")
    )
    text = await printed(w2, closure)
    assert "提请关闭建议书" in text
    assert "西湖区人民政府：" in text  # addressed to the county government
    assert "签收" not in text
    assert hz["code"] in text


async def test_the_head_on_paper_is_the_holder_on_the_issue_date(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    """After the seat is handed over, a document names the holder of the seat on its date, not
    what the unit record still says."""
    w = await make_world(client, token, admin)
    person = await client.post(
        "/api/v1/people",
        json={
            "name": "孙新任",
            "kind": "enterprise_staff",
            "position": "main_responsible_person",
            "enterprise_id": w.ent_id,
        },
        headers=admin,
    )
    assert person.status_code == 201, person.text
    seat = await client.post(
        "/api/v1/responsibility-assignments",
        json={
            "kind": "enterprise_main_responsible",
            "holder_person_id": person.json()["id"],
            "object_type": "enterprise",
            "object_enterprise_id": w.ent_id,
            "valid_from": f"{today_china().isoformat()}T00:00:00+08:00",
        },
        headers=admin,
    )
    assert seat.status_code == 201, seat.text
    order = await issue(w, doc(w, "on_site_decision", content="责令撤出作业人员"))
    text = await printed(w, order)
    assert "主要负责人孙新任" in text
    assert "被检查单位负责人（签收）孙新任" in text


async def test_scoped_like_the_json_read(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    w = await make_world(client, token, admin)
    order = await issue(w, doc(w, "on_site_decision", content="责令撤出作业人员"))
    other = await create_enterprise(client, admin, region_code=OTHER_TOWN)
    callers = {
        "own enterprise": w.enterprise_user,
        "other enterprise": token("enterprise_user", enterprise_id=other["id"]),
        "expert": token("expert"),
        "town elsewhere": token("town_official", region_code=OTHER_TOWN),
    }
    for who, headers in callers.items():
        as_json = await client.get(f"{URL}/{order['id']}", headers=headers)
        as_pdf = await client.get(f"{URL}/{order['id']}.pdf", headers=headers)
        assert as_pdf.status_code == as_json.status_code, who
        if as_json.status_code != 200:
            assert as_pdf.headers["content-type"] == "application/problem+json"
            assert as_pdf.json()["code"] == as_json.json()["code"]
    assert (await client.get(f"{URL}/{order['id']}.pdf")).status_code == 401
    missing = await client.get(f"{URL}/01938a4e-0000-7000-8000-0000000000bb.pdf", headers=admin)
    assert missing.status_code == 404
    assert (await client.get(f"{URL}/not-a-uuid.pdf", headers=admin)).status_code == 422
