"""The on-site record, the major-hazard plan and the public-report receipt printed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from httpx import AsyncClient

from tests.documents.pdf import image_count, pdf_text, signature_png
from tests.factories import OTHER_TOWN, create_enterprise
from tests.hazards.builders import make_world
from tests.public_reports.builders import find_report, setup_county, submit
from tests.visits.builders import complete, inspector_member, plan_visit, setup_unit, start

Token = Callable[..., dict[str, str]]
V = "/api/v1/inspection-visits"


async def _signature_image(client: AsyncClient, headers: dict[str, str], visit_id: str) -> str:
    r = await client.post(
        "/api/v1/attachments",
        data={"visit_id": visit_id, "purpose": "document"},
        files={"file": ("sign.png", signature_png(), "image/png")},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_onsite_record_with_signature_images(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    u = await setup_unit(client, admin, token)
    official = u["official"]
    visit = await plan_visit(
        client,
        official,
        u["ent"]["id"],
        members=[
            inspector_member("王检查"),
            {**inspector_member("赵检查"), "certificate_number": "2"},
        ],
        leading_official="周副县长",
    )
    await start(client, official, visit["id"])
    await complete(client, official, visit["id"])
    url = f"{V}/{visit['id']}/onsite-record"
    edited = await client.patch(
        url,
        json={"place": "储罐区", "problems": "二号储罐静电接地线断裂", "handling": "责令限期整改"},
        headers=official,
    )
    assert edited.status_code == 200, edited.text
    first, second = visit["members"][0]["id"], visit["members"][1]["id"]
    image = await _signature_image(client, official, visit["id"])
    for body in (
        {"signer_role": "inspector", "member_id": first, "attachment_id": image},
        {"signer_role": "unit_head", "name": "张三"},
    ):
        signed = await client.post(f"{url}/signatures", json=body, headers=official)
        assert signed.status_code == 200, signed.text
    draft = await client.get(f"{url}.pdf", headers=official)
    text = pdf_text(draft)
    for fact in (
        "现场检查记录",
        u["dept"]["name"],
        u["ent"]["name"],
        u["ent"]["uscc"],
        "检查场所储罐区",
        "带队领导周副县长",
        "王检查（执法证号：33010620260001）",
        "检查了重点部位",
        "二号储罐静电接地线断裂",
        "责令限期整改",
        "检查人员王检查执法证号：33010620260001",
        "被检查单位负责人张三",
        "赵检查执法证号：2（未签署）",
        "状态：签署中",
        "第六十八条",
    ):
        assert fact in text, fact
    assert image_count(draft) == 1  # the inspector's signature image is on the paper
    done = await client.post(
        f"{url}/signatures",
        json={"signer_role": "inspector", "member_id": second},
        headers=official,
    )
    assert done.json()["status"] == "signed"
    text = pdf_text(await client.get(url, headers={**official, "Accept": "application/pdf"}))
    assert "状态：已签署" in text
    assert "（未签署）" not in text
    staff = token("enterprise_user", enterprise_id=u["ent"]["id"])
    assert (await client.get(f"{url}.pdf", headers=staff)).status_code == 200
    other = await create_enterprise(client, admin, region_code=OTHER_TOWN)
    stranger = token("enterprise_user", enterprise_id=other["id"])
    assert (await client.get(f"{url}.pdf", headers=stranger)).status_code == 404
    unstarted = await plan_visit(client, official, u["ent"]["id"])
    assert (
        await client.get(f"{V}/{unstarted['id']}/onsite-record.pdf", headers=official)
    ).status_code == 404


async def test_onsite_record_refusal_is_printed(
    client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    u = await setup_unit(client, admin, token)
    official = u["official"]
    visit = await plan_visit(client, official, u["ent"]["id"])
    await start(client, official, visit["id"])
    await complete(client, official, visit["id"])
    url = f"{V}/{visit['id']}/onsite-record"
    refused = await client.post(
        f"{url}/refusal",
        json={"head_name": "张三", "note": "负责人拒绝签字，由两名检查人员在场见证"},
        headers=official,
    )
    assert refused.status_code == 200
    text = pdf_text(await client.get(f"{url}.pdf", headers=official))
    assert "被检查单位负责人" in text
    assert "拒绝签字。" in text
    assert "负责人拒绝签字，由两名检查人员在场见证" in text


async def test_major_hazard_plan(client: AsyncClient, admin: dict[str, str], token: Token) -> None:
    w = await make_world(client, token, admin)
    general = await w.rectifying()
    r = await client.get(f"/api/v1/hazards/{general['id']}/treatment-plan.pdf", headers=w.dept)
    assert r.status_code == 409
    assert r.json()["code"] == "hazard_not_major"
    planning = await w.planning()
    r = await client.get(f"/api/v1/hazards/{planning['id']}/treatment-plan.pdf", headers=w.dept)
    assert r.json()["code"] == "treatment_plan_missing"
    hz = await w.major_rectifying()
    url = f"/api/v1/hazards/{hz['id']}/treatment-plan.pdf"
    text = pdf_text(await client.get(url, headers=w.enterprise_user))
    for fact in (
        "重大事故隐患治理方案",
        hz["code"],
        w.enterprise["name"],
        "隐患等级重大事故隐患",
        "一、治理的目标和任务",
        "消除储罐区重大隐患",
        "二、采取的方法和措施",
        "停用并更换",
        "三、经费和物资的落实",
        "50万元，物资已落实",
        "四、负责治理的机构和人员",
        "总经理牵头",
        "五、治理的时限和要求",
        "60日内完成",
        "六、安全措施和应急预案",
        "制定应急预案",
        "单位名称" + w.enterprise["name"],
        "主要负责人（编制）张三",
    ):
        assert fact in text, fact
    other = await create_enterprise(client, admin, region_code=OTHER_TOWN)
    stranger = token("enterprise_user", enterprise_id=other["id"])
    assert (await client.get(url, headers=stranger)).status_code == 404


async def test_public_report_receipts(
    app: Any, client: AsyncClient, admin: dict[str, str], token: Token
) -> None:
    app.state.settings = app.state.settings.model_copy(
        update={"public_report_intake_per_window": 1000, "public_report_receipt_per_window": 1000}
    )
    county = await setup_county(client, admin, token)
    receipt = await submit(
        client,
        anonymous=False,
        enterprise_id=county.enterprise["id"],
        subject_name="某危化品仓库",
        reporter={"name": "赵密名", "contact": "13700007777"},
    )
    code, secret = receipt["receipt_code"], receipt["receipt_secret"]
    url = f"/api/v1/public-reports/receipt/{code}"
    text = pdf_text(await client.get(f"{url}.pdf", headers={"X-Receipt-Secret": secret}))
    for fact in ("举报受理回执", f"回执编号：{code}", "办理状态", "受理日期"):
        assert fact in text, fact
    assert "赵密名" not in text
    assert "13700007777" not in text
    assert secret not in text
    negotiated = await client.get(
        url, headers={"X-Receipt-Secret": secret, "Accept": "application/pdf"}
    )
    assert pdf_text(negotiated) == text
    assert negotiated.headers["cache-control"] == "no-store"
    wrong = await client.get(f"{url}.pdf", headers={"X-Receipt-Secret": "x" * 30})
    assert wrong.status_code == 404
    report = await find_report(client, county.tokens["committee"], code)
    handler = await client.get(
        f"/api/v1/public-reports/{report['id']}/receipt.pdf", headers=county.tokens["committee"]
    )
    text = pdf_text(handler)
    for fact in (
        f"回执编号：{code}",
        "某危化品仓库",
        "举报方式实名",
        county.committee["name"],
        "办结时限",
    ):
        assert fact in text, fact
    assert "赵密名" not in text
    assert "13700007777" not in text
    for headers in (county.tokens["enterprise_user"], county.tokens["expert"]):
        json_status = (
            await client.get(f"/api/v1/public-reports/{report['id']}", headers=headers)
        ).status_code
        pdf = await client.get(
            f"/api/v1/public-reports/{report['id']}/receipt.pdf", headers=headers
        )
        assert pdf.status_code == json_status != 200
