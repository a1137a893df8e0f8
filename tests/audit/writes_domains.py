"""``Write`` rows for inspection visits, documents, campaigns, responsibility, webhooks,
notifications, the workday calendar, public reports and the criteria import."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from unittest.mock import ANY

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import today_china, utcnow
from app.models.identity import Person
from app.models.webhook import WebhookDelivery
from app.notifications.schemas import NotificationKind
from app.notifications.service import notify
from tests.audit.kit import Ctx, Includes, Kit, Setup, Write, changed, created, new
from tests.audit.writes_hazards import _world
from tests.factories import COUNTY, TOWN, create_department, create_enterprise
from tests.hazards.builders import World, in_days
from tests.public_reports.builders import act, find_report, report_body, setup_county, submit
from tests.responsibility.builders import URL as ASSIGNMENTS
from tests.responsibility.builders import assign, staff
from tests.visits.builders import HERE, complete, inspector_member, plan_visit, start

V = "/api/v1/inspection-visits"
VI = V + "/{visit[id]}"


# --- inspection visits --------------------------------------------------------------------


def _visit_at(stage: str, person_id: uuid.UUID | None = None, **plan: Any) -> Setup:
    """A visit planned by a department official (``person_id``: that official's person record,
    which then belongs to the new department, as the token says)."""

    async def setup(kit: Kit) -> Ctx:
        ctx: Ctx = {}
        dept = await create_department(kit.client, kit.admin)
        ent = await create_enterprise(kit.client, kit.admin)
        if person_id is not None:
            await kit.connection.execute(
                update(Person)
                .where(Person.id == person_id)
                .values(department_id=dept["id"], region_code=dept["region_code"])
            )
        me = kit.as_(ctx, "department_official", department_id=dept["id"])
        ctx.update(department=dept, enterprise=ent)
        if stage == "none":
            return ctx
        visit = await plan_visit(kit.client, me, ent["id"], **plan)
        if stage in ("started", "completed"):
            visit = await start(kit.client, me, visit["id"])
        if stage == "completed":
            visit = await complete(kit.client, me, visit["id"])
        ctx["visit"] = visit
        if stage == "started":
            template = await kit.client.get(
                f"/api/v1/checklist-templates/{visit['checklist_template_id']}", headers=me
            )
            ctx["items"] = {i["code"]: i["id"] for i in template.json()["items"]}
        return ctx

    return setup


async def _closed_hazard(world: World) -> dict[str, Any]:
    hz = await world.pending()
    return await world.ok(hz, "accept", {"opinion": "整改到位"}, world.dept)


async def a_lookback_visit(kit: Kit) -> Ctx:
    ctx: Ctx = {}
    world = await _world(kit, ctx)
    ctx["hazard"] = await _closed_hazard(world)
    visit = await plan_visit(
        kit.client, world.dept, world.ent_id, type="lookback", hazard_ids=[ctx["hazard"]["id"]]
    )
    ctx["visit"] = await start(kit.client, world.dept, visit["id"])
    return ctx


async def an_acceptance_visit(kit: Kit) -> Ctx:
    ctx: Ctx = {}
    world = await _world(kit, ctx)
    ctx["hazard"] = await world.pending()
    visit = await plan_visit(
        kit.client, world.dept, world.ent_id, type="acceptance", hazard_ids=[ctx["hazard"]["id"]]
    )
    ctx["visit"] = await start(kit.client, world.dept, visit["id"])
    return ctx


async def a_world_ctx(kit: Kit) -> Ctx:
    ctx: Ctx = {}
    await _world(kit, ctx)
    return ctx


async def a_signed_onsite_record(kit: Kit) -> Ctx:
    """A completed visit whose inspector is the department official's own person record (only
    an inspector of the visit, signed in as themselves, signs or captures signatures)."""
    person_id = uuid.uuid4()
    await kit.connection.execute(
        insert(Person).values(
            id=person_id,
            subject="audit-department_official",
            name="王检查",
            kind="inspector",
            roles=["department_official"],
            active=True,
            version=1,
        )
    )
    members = [inspector_member("王检查", person_id)]
    return await _visit_at("completed", person_id, members=members)(kit)


async def a_registered_hazard(kit: Kit) -> Ctx:
    ctx: Ctx = {}
    world = await _world(kit, ctx)
    ctx["hazard"] = await world.registered()
    return ctx


_TEMPLATE: dict[str, Any] = {
    "code": "hazchem-basic",
    "sector": "hazchem",
    "title": "危化品检查表（2027版）",
    "items": [
        {"code": "HAZ-01", "text": "主要负责人考核合格", "criteria_clause_code": "hazchem-2017-01"}
    ],
}


def _campaign_body() -> dict[str, Any]:
    today = today_china()
    return {
        "name": "春节前安全生产大检查",
        "document_number": "西安委办〔2026〕8号",
        "region_code": COUNTY,
        "sectors": ["hazchem"],
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=60)).isoformat(),
    }


async def a_campaign(kit: Kit) -> Ctx:
    ctx = await _visit_at("none")(kit)
    response = await kit.client.post(
        "/api/v1/campaigns", json=_campaign_body(), headers=ctx["as"]["department_official"]
    )
    assert response.status_code == 201, response.text
    ctx["campaign"] = response.json()
    return ctx


def _document(ctx: Ctx, kind: str = "on_site_decision", **extra: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "number": "西应急现决〔2026〕1号",
        "enterprise_id": ctx["enterprise"]["id"],
        "issuer_name": "西湖区应急管理局",
        "issued_on": in_days(0),
        "legal_basis": "《安全生产法》第六十五条",
        "content": "责令撤出作业人员",
        "hazard_ids": [],
        **extra,
    }


async def a_document(kit: Kit) -> Ctx:
    ctx: Ctx = {}
    await _world(kit, ctx)
    response = await kit.client.post(
        "/api/v1/enforcement-documents",
        json=_document(ctx),
        headers=ctx["as"]["department_official"],
    )
    assert response.status_code == 201, response.text
    ctx["document"] = response.json()
    return ctx


def _on_visit(ctx: Ctx, body: dict[str, Any]) -> str:
    return str(ctx["visit"]["id"])


VISIT_WRITES: list[Write] = [
    Write(
        "create_inspection_visit",
        "POST",
        V,
        "inspection_visit",
        "create",
        lambda ctx, body: created(
            type="departmental",
            enterprise_id=ctx["enterprise"]["id"],
            planned_on="2026-12-01",
            purpose="例行执法检查",
            members=[{**inspector_member(), "department_id": None}],
            hazard_ids=[],
            lead_department_id=ctx["department"]["id"],
            checklist_template_id=ANY,  # the current template of the unit's sector
            participating_department_ids=[],
        ),
        setup=_visit_at("none"),
        body=lambda ctx: {
            "type": "departmental",
            "enterprise_id": ctx["enterprise"]["id"],
            "planned_on": "2026-12-01",
            "purpose": "例行执法检查",
            "members": [inspector_member()],
        },
        status=201,
        actor="department_official",
    ),
    Write(
        "update_inspection_visit",
        "PATCH",
        VI,
        "inspection_visit",
        "update",
        lambda ctx, body: changed(purpose=("例行执法检查", "节前检查")),
        setup=_visit_at("planned"),
        body=lambda ctx: {"purpose": "节前检查"},
        actor="department_official",
    ),
    Write(
        "start_inspection_visit",
        "POST",
        VI + "/start",
        "inspection_visit",
        "start",
        lambda ctx, body: changed(
            status=("planned", "in_progress"),
            started_at=(None, ANY),
            checkin_distance_m=(None, 0.0),
        ),
        setup=_visit_at("planned"),
        body=lambda ctx: {"location": HERE},
        actor="department_official",
    ),
    Write(
        "complete_inspection_visit",
        "POST",
        VI + "/complete",
        "inspection_visit",
        "complete",
        lambda ctx, body: changed(
            status=("in_progress", "completed"),
            summary=(None, "检查了重点部位"),
            conclusion=(None, "未发现隐患"),
        ),
        setup=_visit_at("started"),
        body=lambda ctx: {
            "summary": "检查了重点部位",
            "conclusion": "未发现隐患",
            "location": HERE,
        },
        actor="department_official",
    ),
    Write(
        "cancel_inspection_visit",
        "POST",
        VI + "/cancel",
        "inspection_visit",
        "cancel",
        lambda ctx, body: changed(
            status=("planned", "cancelled"), cancel_reason=(None, "企业停产")
        ),
        setup=_visit_at("planned"),
        body=lambda ctx: {"reason": "企业停产"},
        actor="department_official",
    ),
    Write(
        "record_visit_result",
        "PUT",
        VI + "/results/{items[HAZ-01]}",
        "inspection_visit",  # results, outcomes and the on-site record are audited on the visit
        "record_result",
        lambda ctx, body: {
            **changed(result=(None, "pass"), photo_ids=(None, [])),
            "item_code": "HAZ-01",  # context: which item, not a changed field
        },
        setup=_visit_at("started"),
        body=lambda ctx: {"result": "pass"},
        actor="department_official",
        resource_id=_on_visit,
    ),
    Write(
        # A failed item with raise_hazard reports a hazard in the same transaction: the hazard's
        # own "report" row comes with the result's row (the operation is still covered once, by
        # operationId, in the coverage guard; this second row pins the two-row case).
        "record_visit_result",
        "PUT",
        VI + "/results/{items[HAZ-08]}",
        "inspection_visit",
        "record_result",
        lambda ctx, body: {
            **changed(
                result=(None, "fail"),
                note=(None, "未演练"),
                photo_ids=(None, []),
                hazard_id=(None, body["hazard_id"]),
            ),
            "item_code": "HAZ-08",
        },
        setup=_visit_at("started"),
        body=lambda ctx: {"result": "fail", "note": "未演练", "raise_hazard": True},
        actor="department_official",
        resource_id=_on_visit,
        also={"hazard": 1},
        variant="raising_a_hazard",
    ),
    Write(
        "record_lookback_outcome",
        "POST",
        VI + "/lookback-outcomes",
        "inspection_visit",
        "record_lookback",
        lambda ctx, body: {
            **changed(outcome=(None, "held"), new_hazard_id=(None, None)),
            "hazard_id": ctx["hazard"]["id"],
        },
        setup=a_lookback_visit,
        body=lambda ctx: {"hazard_id": ctx["hazard"]["id"], "outcome": "held"},
        actor="department_official",
        resource_id=_on_visit,
    ),
    Write(
        "record_acceptance_result",
        "POST",
        VI + "/acceptance-results",
        "inspection_visit",
        "record_acceptance",
        lambda ctx, body: {**changed(outcome=(None, "passed")), "hazard_id": ctx["hazard"]["id"]},
        setup=an_acceptance_visit,
        body=lambda ctx: {"hazard_id": ctx["hazard"]["id"], "result": "passed", "note": "同意销号"},
        actor="department_official",
        resource_id=_on_visit,
        # A passed acceptance closes the hazard: the hazard's "accept" row and the
        # responsibility snapshot frozen at closing come with it.
        also={"hazard": 1, "responsibility_snapshot": 1},
    ),
    Write(
        "update_onsite_record",
        "PATCH",
        VI + "/onsite-record",
        "inspection_visit",
        "update_onsite_record",
        lambda ctx, body: changed(handling=("发现隐患，责令整改", "责令限期整改")),
        setup=a_signed_onsite_record,
        body=lambda ctx: {"handling": "责令限期整改"},
        actor="department_official",
        resource_id=lambda ctx, body: ctx["visit"]["id"],
    ),
    Write(
        "sign_onsite_record",
        "POST",
        VI + "/onsite-record/signatures",
        "inspection_visit",
        "sign_onsite_record",
        lambda ctx, body: changed(
            signature=(
                None,
                {
                    "role": "inspector",
                    "name": "王检查",
                    "attachment_id": None,
                    "captured_by_member_id": None,
                },
            ),
            record_status=("draft", "signing"),
        ),
        setup=a_signed_onsite_record,
        body=lambda ctx: {"signer_role": "inspector"},
        actor="department_official",
        resource_id=_on_visit,
    ),
    Write(
        "record_onsite_refusal",
        "POST",
        VI + "/onsite-record/refusal",
        "inspection_visit",
        "record_signature_refusal",
        lambda ctx, body: changed(
            head_refused=(False, True),
            refusal_note=(None, "张三：负责人拒绝签字，两名检查人员见证（记录人：王检查）"),
            record_status=("draft", "signing"),
        ),
        setup=a_signed_onsite_record,
        body=lambda ctx: {"head_name": "张三", "note": "负责人拒绝签字，两名检查人员见证"},
        actor="department_official",
        resource_id=_on_visit,
    ),
    Write(
        "create_checklist_template",
        "POST",
        "/api/v1/checklist-templates",
        "checklist_template",
        "create",
        lambda ctx, body: created(
            code="hazchem-basic",
            sector="hazchem",
            title="危化品检查表（2027版）",
            edition=2,  # the seeded template is edition 1
            items=[{**_TEMPLATE["items"][0], "legal_basis": None}],
        ),
        setup=_visit_at("none"),
        body=lambda ctx: _TEMPLATE,
        status=201,
        actor="department_official",
    ),
    Write(
        "create_enforcement_document",
        "POST",
        "/api/v1/enforcement-documents",
        "enforcement_document",
        "issue",
        lambda ctx, body: {
            **created(
                **{k: v for k, v in _document(ctx).items() if k != "hazard_ids"},
                hazard_ids=[],
                issuer_department_id=ctx["world"].department["id"],
            ),
            "effects": [],  # context: what the document did to hazards and the unit (nothing)
        },
        setup=a_world_ctx,
        body=lambda ctx: _document(ctx),
        status=201,
        actor="department_official",
    ),
    Write(
        "serve_enforcement_document",
        "POST",
        "/api/v1/enforcement-documents/{document[id]}/serve",
        "enforcement_document",
        "serve",
        lambda ctx, body: changed(served_on=(None, in_days(1))),
        setup=a_document,
        body=lambda ctx: {"served_on": in_days(1)},
        actor="department_official",
    ),
    Write(
        "create_campaign",
        "POST",
        "/api/v1/campaigns",
        "campaign",
        "create",
        lambda ctx, body: created(**_campaign_body(), issuer_department_id=ctx["department"]["id"]),
        setup=_visit_at("none"),
        body=lambda ctx: _campaign_body(),
        status=201,
        actor="department_official",
    ),
    Write(
        "update_campaign",
        "PATCH",
        "/api/v1/campaigns/{campaign[id]}",
        "campaign",
        "update",
        lambda ctx, body: changed(name=("春节前安全生产大检查", "节前大检查")),
        setup=a_campaign,
        body=lambda ctx: {"name": "节前大检查"},
        actor="department_official",
    ),
]


# --- responsibility -----------------------------------------------------------------------


async def a_unit_with_staff(kit: Kit) -> Ctx:
    ent = await create_enterprise(kit.client, kit.admin)
    return {
        "enterprise": ent,
        "boss": await staff(kit.client, kit.admin, ent["id"], "张总"),
        "boss2": await staff(kit.client, kit.admin, ent["id"], "李总"),
    }


async def an_assignment(kit: Kit) -> Ctx:
    ctx = await a_unit_with_staff(kit)
    ctx["assignment"] = await assign(
        kit.client,
        kit.admin,
        "enterprise_main_responsible",
        holder_person_id=ctx["boss"]["id"],
        object_type="enterprise",
        object_enterprise_id=ctx["enterprise"]["id"],
        duties="全面负责",
    )
    return ctx


def _assignment_body(ctx: Ctx) -> dict[str, Any]:
    return {
        "kind": "enterprise_main_responsible",
        "holder_person_id": ctx["boss"]["id"],
        "object_type": "enterprise",
        "object_enterprise_id": ctx["enterprise"]["id"],
        "duties": "全面负责",
    }


async def an_assignment_to_answer(kit: Kit) -> Ctx:
    """An assignment held by the person behind the ``audit-enterprise_user`` token."""
    ctx = await a_unit_with_staff(kit)
    ent = ctx["enterprise"]["id"]
    holder = await kit.client.post(
        "/api/v1/people",
        json={
            "name": "王总",
            "kind": "enterprise_staff",
            "position": "other",
            "enterprise_id": ent,
            "roles": ["enterprise_user"],
            "subject": "audit-enterprise_user",
        },
        headers=kit.admin,
    )
    assert holder.status_code == 201, holder.text
    kit.as_(ctx, "enterprise_user")
    ctx["assignment"] = await assign(
        kit.client,
        kit.admin,
        "enterprise_safety_manager",
        holder_person_id=holder.json()["id"],
        object_type="enterprise",
        object_enterprise_id=ent,
    )
    return ctx


RESPONSIBILITY_WRITES: list[Write] = [
    Write(
        "confirm_responsibility_assignment",
        "POST",
        ASSIGNMENTS + "/{assignment[id]}/confirm",
        "responsibility_assignment",
        "confirm",
        lambda ctx, body: changed(
            last_confirmed_at=(None, ANY),
            answered_by=(None, "enterprise_user:audit-enterprise_user"),
        ),
        setup=an_assignment_to_answer,
        body=lambda ctx: {},
        actor="enterprise_user",
    ),
    Write(
        "decline_responsibility_assignment",
        "POST",
        ASSIGNMENTS + "/{assignment[id]}/decline",
        "responsibility_assignment",
        "decline",
        lambda ctx, body: changed(
            declined_at=(None, ANY),
            decline_reason=(None, "已调离"),
            answered_by=(None, "enterprise_user:audit-enterprise_user"),
        ),
        setup=an_assignment_to_answer,
        body=lambda ctx: {"reason": "已调离"},
        actor="enterprise_user",
    ),
    Write(
        "create_responsibility_assignment",
        "POST",
        ASSIGNMENTS,
        "responsibility_assignment",
        "create",
        lambda ctx, body: new(
            kind="enterprise_main_responsible",
            holder_person_id=ctx["boss"]["id"],
            object_type="enterprise",
            object_enterprise_id=ctx["enterprise"]["id"],
            duties="全面负责",
        ),
        setup=a_unit_with_staff,
        body=_assignment_body,
        status=201,
        # the enterprise record mirrors its main-responsible seat (its own update row)
        also={"enterprise": 1},
    ),
    Write(
        "update_responsibility_assignment",
        "PATCH",
        ASSIGNMENTS + "/{assignment[id]}",
        "responsibility_assignment",
        "update",
        lambda ctx, body: changed(duties=("全面负责", "全面负责本单位安全生产")),
        setup=an_assignment,
        body=lambda ctx: {"duties": "全面负责本单位安全生产"},
    ),
    Write(
        "end_responsibility_assignment",
        "POST",
        ASSIGNMENTS + "/{assignment[id]}/end",
        "responsibility_assignment",
        "end",
        lambda ctx, body: changed(
            end_reason=(None, "企业注销"), valid_to=(None, ANY), ended_by=(None, "admin:test-admin")
        ),
        setup=an_assignment,
        body=lambda ctx: {"reason": "企业注销"},
        also={"enterprise": 1},  # the seat is vacant: the record's main responsible person too
    ),
    Write(
        "hand_over_responsibility_assignment",
        "POST",
        ASSIGNMENTS + "/{assignment[id]}/hand-over",
        "responsibility_assignment",
        "hand_over",
        lambda ctx, body: changed(
            end_reason=(None, "工作调动"), valid_to=(None, ANY), ended_by=(None, "admin:test-admin")
        ),
        setup=an_assignment,
        body=lambda ctx: {"reason": "工作调动", "holder_person_id": ctx["boss2"]["id"]},
        resource_id=lambda ctx, body: ctx["assignment"]["id"],
        # A hand-over ends the old assignment and creates its successor: two assignments
        # change, each with its own row ("hand_over" on the old one, "create" on the new one);
        # the enterprise record names the new head.
        also={"responsibility_assignment": 1, "enterprise": 1},
    ),
    Write(
        "create_major_hazard_source",
        "POST",
        "/api/v1/major-hazard-sources",
        "major_hazard_source",
        "create",
        lambda ctx, body: created(
            enterprise_id=ctx["enterprise"]["id"], name="液氯储罐区", grade=2
        ),
        setup=a_unit_with_staff,
        body=lambda ctx: {
            "enterprise_id": ctx["enterprise"]["id"],
            "name": "液氯储罐区",
            "grade": 2,
        },
        status=201,
    ),
]


# --- webhooks, notifications, the workday calendar -----------------------------------------

HOOKS = "/api/v1/webhook-subscriptions"
HOOK_URL = "https://e.example.gov.cn/hook"


async def a_subscription(kit: Kit) -> Ctx:
    response = await kit.client.post(HOOKS, json={"url": HOOK_URL}, headers=kit.admin)
    assert response.status_code == 201, response.text
    return {"subscription": response.json()}


async def a_failed_delivery(kit: Kit) -> Ctx:
    ctx = await a_subscription(kit)
    session = AsyncSession(bind=kit.connection, join_transaction_mode="create_savepoint")
    delivery_id = uuid.uuid4()
    session.add(
        WebhookDelivery(
            id=delivery_id,
            subscription_id=uuid.UUID(ctx["subscription"]["id"]),
            event_seq=1,
            event_id=uuid.uuid4(),
            event_type="gov.anjian.hazard.reported",
            status="failed",
            attempts=14,
            next_attempt_at=utcnow(),
            last_status_code=500,
        )
    )
    await session.commit()
    await session.close()
    ctx["delivery"] = {"id": str(delivery_id)}
    return ctx


async def a_notification(kit: Kit) -> Ctx:
    ctx: Ctx = {}
    dept = await create_department(kit.client, kit.admin)
    kit.as_(ctx, "department_official", department_id=dept["id"])
    session = AsyncSession(bind=kit.connection, join_transaction_mode="create_savepoint")
    notification_id = notify(
        session,
        NotificationKind.deadline_reminder,
        title="整改期限将至",
        resource_type="hazard",
        resource_id=uuid.uuid4(),
        region_code=TOWN,
        sectors=["hazchem"],
        data={},
        recipient_department_id=uuid.UUID(dept["id"]),
    )
    await session.commit()
    await session.close()
    ctx["notification"] = {"id": str(notification_id)}
    return ctx


OVERRIDE = "/api/v1/workday-overrides/2026-10-09"


async def an_override(kit: Kit) -> Ctx:
    body = {"is_workday": False, "reason": "防台风停工"}
    response = await kit.client.put(OVERRIDE, json=body, headers=kit.admin)
    assert response.status_code == 201, response.text
    return {"override": response.json()}


PLATFORM_WRITES: list[Write] = [
    Write(
        "create_webhook_subscription",
        "POST",
        HOOKS,
        "webhook_subscription",
        "create",
        lambda ctx, body: created(url=HOOK_URL, active=True, event_types=[]),
        body=lambda ctx: {"url": HOOK_URL},
        status=201,
    ),
    Write(
        "update_webhook_subscription",
        "PATCH",
        HOOKS + "/{subscription[id]}",
        "webhook_subscription",
        "update",
        lambda ctx, body: changed(active=(True, False)),
        setup=a_subscription,
        body=lambda ctx: {"active": False},
        headers={"If-Match": '"1"'},
    ),
    Write(
        "delete_webhook_subscription",
        "DELETE",
        HOOKS + "/{subscription[id]}",
        "webhook_subscription",
        "delete",
        # a subscription is deleted outright (not soft-deleted): every field goes to None
        lambda ctx, body: changed(
            url=(HOOK_URL, None), active=(True, None), event_types=([], None)
        ),
        setup=a_subscription,
        status=204,
        resource_id=lambda ctx, body: ctx["subscription"]["id"],
    ),
    Write(
        "rotate_webhook_secret",
        "POST",
        HOOKS + "/{subscription[id]}/rotate-secret",
        "webhook_subscription",
        "rotate_secret",
        # the secret itself is never written to the trail, only that it changed
        lambda ctx, body: changed(secret=("***", "***")),
        setup=a_subscription,
        resource_id=lambda ctx, body: ctx["subscription"]["id"],
    ),
    Write(
        "redeliver_webhook_delivery",
        "POST",
        HOOKS + "/{subscription[id]}/deliveries/{delivery[id]}/redeliver",
        "webhook_delivery",
        "redeliver",
        lambda ctx, body: changed(status=("failed", "pending"), attempts=(14, 0)),
        setup=a_failed_delivery,
        status=202,
    ),
    Write(
        "mark_notification_read",
        "POST",
        "/api/v1/me/notifications/{notification[id]}/read",
        "notification",
        "read",
        lambda ctx, body: changed(read_at=(None, ANY)),
        setup=a_notification,
        actor="department_official",
    ),
    Write(
        "put_workday_override",
        "PUT",
        OVERRIDE,
        "workday_override",
        "create",
        lambda ctx, body: created(is_workday=False, reason="防台风停工"),
        body=lambda ctx: {"is_workday": False, "reason": "防台风停工"},
        status=201,
        resource_id=lambda ctx, body: "2026-10-09",  # the day is the override's key
    ),
    Write(
        "delete_workday_override",
        "DELETE",
        OVERRIDE,
        "workday_override",
        "delete",
        lambda ctx, body: changed(is_workday=(False, None), reason=("防台风停工", None)),
        setup=an_override,
        status=204,
        resource_id=lambda ctx, body: "2026-10-09",
    ),
    Write(
        "import_criteria",
        "POST",
        "/api/v1/criteria/import",
        "criteria_catalogue",
        "import",
        lambda ctx, body: changed(standards=(None, 1), clauses=(None, 1)),  # counts imported
        body=lambda ctx: {
            "format": "anjian-criteria/1",
            "standards": [
                {
                    "code": "fire-2025",
                    "sector": "fire",
                    "title": "重大火灾隐患判定规则",
                    "issuing_body": "国家市场监督管理总局",
                    "document_number": "GB 35181-2025",
                    "effective_on": "2025-11-01",
                    "clauses": [{"code": "fire-2025-5.1", "text": "示例条款"}],
                }
            ],
        },
        resource_id=lambda ctx, body: "fire-2025",  # the catalogue, by its first standard
    ),
]


# --- public reports -----------------------------------------------------------------------

R = "/api/v1/public-reports"
RI = R + "/{report[id]}"


def _report_at(stage: str) -> Setup:
    async def setup(kit: Kit) -> Ctx:
        ctx: Ctx = {}
        county = await setup_county(kit.client, kit.admin, kit.token)
        office = kit.as_(
            ctx, "committee_office", region_code=COUNTY, department_id=county.committee["id"]
        )
        ctx["county"] = county
        if stage == "none":
            return ctx
        receipt = await submit(kit.client, region_code=TOWN, enterprise_id=county.enterprise["id"])
        report = await find_report(kit.client, office, receipt["receipt_code"])
        ctx["receipt"] = receipt
        if stage in ("accepted", "verified"):
            report = await act(kit.client, office, report["id"], "accept", {"note": "受理"})
        if stage == "verified":
            report = await act(
                kit.client,
                office,
                report["id"],
                "verify",
                {"finding": "true", "method": "desk_check", "note": "属实"},
            )
        if stage == "rewarded":
            raise AssertionError("use _rewarded")
        ctx["report"] = report
        return ctx

    return setup


async def a_rewarded_report(kit: Kit) -> Ctx:
    ctx = await _report_at("verified")(kit)
    ctx["report"] = await act(
        kit.client,
        ctx["as"]["committee_office"],
        ctx["report"]["id"],
        "reward",
        {"fine_amount": "200000", "document_number": "西应急罚〔2026〕8号"},
    )
    return ctx


async def a_rule(kit: Kit) -> Ctx:
    ctx = await _report_at("none")(kit)
    response = await kit.client.post(
        "/api/v1/report-routing-rules",
        json=_rule_body(ctx),
        headers=ctx["as"]["committee_office"],
    )
    assert response.status_code == 201, response.text
    ctx["rule"] = response.json()
    return ctx


def _rule_body(ctx: Ctx) -> dict[str, Any]:
    return {
        "category": "major_hazard",
        "sector": "hazchem",
        "region_prefix": COUNTY,
        "department_id": ctx["county"].emergency["id"],
    }


_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def _report_action(
    name: str,
    action: str,
    path: str,
    stage: str,
    body: dict[str, Any] | Callable[[Ctx], dict[str, Any]],
    expected: Any,
    setup: Any = None,
) -> Write:
    make = body if callable(body) else (lambda ctx: body)
    return Write(
        name,
        "POST",
        RI + path,
        "public_report",
        action,
        expected,
        setup=setup or _report_at(stage),
        body=make,
        actor="committee_office",
    )


PUBLIC_REPORT_WRITES: list[Write] = [
    Write(
        "submit_public_report",
        "POST",
        R,
        "public_report",
        "create",
        lambda ctx, body: Includes(
            changed(
                status=(None, "received"),
                channel=(None, "12350"),
                category=(None, "major_hazard"),
                anonymous=(None, True),
                region_code=(None, TOWN),
                subject_name=(None, "无名仓库"),
            )
        ),
        body=lambda ctx: report_body(region_code=TOWN, subject_name="无名仓库"),
        status=201,
        actor=None,  # the public, anonymous
        resource_id=lambda ctx, body: ANY,  # the receipt never shows the report's id
    ),
    _report_action(
        "accept_public_report",
        "accept",
        "/accept",
        "received",
        {"note": "受理"},
        lambda ctx, body: changed(
            status=("received", "accepted"), accepted_on=(None, today_china().isoformat())
        ),
    ),
    _report_action(
        "transfer_public_report",
        "transfer",
        "/transfer",
        "received",
        lambda ctx: {"department_id": ctx["county"].housing["id"], "reason": "实为建筑工地"},
        lambda ctx, body: changed(
            assigned_department_id=(
                ctx["report"]["assigned_department_id"],
                ctx["county"].housing["id"],
            )
        ),
    ),
    _report_action(
        "reject_public_report",
        "reject",
        "/reject",
        "received",
        {"reason": "不属于安全生产举报", "public_reply": "请向 12345 反映"},
        lambda ctx, body: changed(
            status=("received", "rejected"),
            closed_on=(None, today_china().isoformat()),
            public_reply=(None, "请向 12345 反映"),
        ),
    ),
    _report_action(
        "extend_public_report",
        "extend",
        "/extend",
        "accepted",
        {"reason": "案情复杂"},
        lambda ctx, body: changed(extended=(False, True), due_on=(ctx["report"]["due_on"], ANY)),
    ),
    _report_action(
        "verify_public_report",
        "verify",
        "/verify",
        "accepted",
        {"finding": "false", "method": "desk_check", "note": "经查不属实"},
        lambda ctx, body: changed(
            status=("accepted", "verified"),
            finding=(None, "false"),
            finding_method=(None, "desk_check"),
            finding_note=(None, "经查不属实"),
            verified_on=(None, today_china().isoformat()),
            reply_due_on=(None, ANY),
        ),
    ),
    _report_action(
        "reply_public_report",
        "reply",
        "/reply",
        "verified",
        {"public_reply": "经核查属实，已责令整改。"},
        lambda ctx, body: changed(
            status=("verified", "closed"),
            closed_on=(None, today_china().isoformat()),
            public_reply=(None, "经核查属实，已责令整改。"),
        ),
    ),
    _report_action(
        "decide_public_report_reward",
        "decide_reward",
        "/reward",
        "verified",
        {"fine_amount": "200000", "document_number": "西应急罚〔2026〕8号"},
        lambda ctx, body: changed(
            fine_amount=(None, "200000"),
            reward_amount=(None, ANY),  # a percentage of the fine, clamped (settings)
            reward_status=("none", "decided"),
            reward_decided_on=(None, today_china().isoformat()),
            reward_document_number=(None, "西应急罚〔2026〕8号"),
        ),
    ),
    Write(
        "pay_public_report_reward",
        "POST",
        RI + "/reward/payment",
        "public_report",
        "pay_reward",
        lambda ctx, body: changed(
            reward_status=("decided", "paid"),
            reward_paid_on=(None, today_china().isoformat()),
            reward_payment_reference=(None, "财付 2026-77"),
        ),
        setup=a_rewarded_report,
        body=lambda ctx: {
            "receipt_secret": ctx["receipt"]["receipt_secret"],
            "payment_reference": "财付 2026-77",
        },
        actor="committee_office",
    ),
    Write(
        "upload_public_report_photo",
        "POST",
        R + "/photos",
        "public_report_photo",
        "create",
        lambda ctx, body: Includes(changed(content_type=(None, "image/jpeg"))),
        multipart=lambda ctx: {"files": {"file": ("p.jpg", _JPEG, "image/jpeg")}},
        status=201,
        actor=None,
    ),
    Write(
        "create_report_routing_rule",
        "POST",
        "/api/v1/report-routing-rules",
        "report_routing_rule",
        "create",
        lambda ctx, body: created(
            **_rule_body(ctx),
            active=True,
            priority=100,  # the default priority
        ),
        setup=_report_at("none"),
        body=_rule_body,
        status=201,
        actor="committee_office",
    ),
    Write(
        "update_report_routing_rule",
        "PATCH",
        "/api/v1/report-routing-rules/{rule[id]}",
        "report_routing_rule",
        "update",
        lambda ctx, body: changed(active=(True, False)),
        setup=a_rule,
        body=lambda ctx: {"active": False},
        headers={"If-Match": '"1"'},
        actor="committee_office",
    ),
]


# --- statistics: assessments, enterprise statistics reports, imports ----------------------

A = "/api/v1/assessments"
_INDICATORS = [
    {
        "code": "rectification",
        "name_en": "Rectification rate",
        "name_zh": "隐患整改率",
        "metric": "rectification_rate",
        "weight": 60,
    },
    {
        "code": "visits",
        "name_en": "Leader visits done",
        "name_zh": "包保检查完成率",
        "metric": "manual",
        "weight": 40,
        "target": 1,
    },
]


def _assessment_body() -> dict[str, Any]:
    return {
        "year": today_china().year,
        "unit_kind": "town",
        "region_code": COUNTY,
        "title": "安全生产年度考核",
        "indicators": _INDICATORS,
    }


async def an_office(kit: Kit) -> Ctx:
    ctx: Ctx = {}
    kit.as_(ctx, "committee_office", region_code=COUNTY)
    return ctx


async def an_assessment(kit: Kit) -> Ctx:
    ctx = await an_office(kit)
    response = await kit.client.post(
        A, json=_assessment_body(), headers=ctx["as"]["committee_office"]
    )
    assert response.status_code == 201, response.text
    ctx["assessment"] = response.json()
    return ctx


async def a_statistics_report(kit: Kit) -> Ctx:
    ctx = await a_world_ctx(kit)
    response = await kit.client.post(
        "/api/v1/enterprise-statistics-reports",
        json={"enterprise_id": ctx["enterprise"]["id"], "period": "2026-Q3"},
        headers=ctx["as"]["enterprise_user"],
    )
    assert response.status_code == 201, response.text
    ctx["report"] = response.json()
    return ctx


_CSV = (
    "\ufeffUnified social credit code,Name,Region code,Sectors\r\n"
    "91330106MA2XXXXX1X,试导入甲公司,330106002,hazchem\r\n"
).encode()

STATISTICS_WRITES: list[Write] = [
    Write(
        "create_assessment",
        "POST",
        A,
        "assessment",
        "create",
        lambda ctx, body: created(
            year=today_china().year,
            title="安全生产年度考核",
            unit_kind="town",
            region_code=COUNTY,
            indicators=[
                {
                    "veto": False,
                    "better": "higher",
                    "target": None,
                    **_INDICATORS[0],
                    "weight": 60.0,
                },
                {
                    "veto": False,
                    "better": "higher",
                    **_INDICATORS[1],
                    "target": 1.0,
                    "weight": 40.0,
                },
            ],
        ),
        setup=an_office,
        body=lambda ctx: _assessment_body(),
        status=201,
        actor="committee_office",
    ),
    Write(
        "update_assessment",
        "PATCH",
        A + "/{assessment[id]}",
        "assessment",
        "update",
        lambda ctx, body: changed(title=("安全生产年度考核", "2026 年度安全生产考核")),
        setup=an_assessment,
        body=lambda ctx: {"title": "2026 年度安全生产考核"},
        actor="committee_office",
    ),
    Write(
        "finalize_assessment",
        "POST",
        A + "/{assessment[id]}/finalize",
        "assessment",
        "finalize",
        # pinned: the status move (finalized_at, also set, is not in the app's diff)
        lambda ctx, body: Includes(changed(status=("draft", "final"))),
        setup=an_assessment,
        actor="committee_office",
    ),
    Write(
        "generate_statistics_report",
        "POST",
        "/api/v1/enterprise-statistics-reports",
        "statistics_report",
        "create",
        lambda ctx, body: created(period="2026-Q3", figures=ANY),
        setup=a_world_ctx,
        body=lambda ctx: {"enterprise_id": ctx["enterprise"]["id"], "period": "2026-Q3"},
        status=201,
        actor="enterprise_user",
    ),
    Write(
        "sign_statistics_report",
        "POST",
        "/api/v1/enterprise-statistics-reports/{report[id]}/sign",
        "statistics_report",
        "sign",
        lambda ctx, body: changed(status=("generated", "signed"), signer_name=(None, "张三")),
        setup=a_statistics_report,
        body=lambda ctx: {"signer_name": "张三"},
        actor="enterprise_user",
    ),
    Write(
        "create_import_job",
        "POST",
        "/api/v1/import-jobs",
        "import_job",
        "create",
        lambda ctx, body: created(
            kind="enterprises", dry_run=True, filename="units.csv", total_rows=1
        ),
        multipart=lambda ctx: {
            "files": {"file": ("units.csv", _CSV, "application/octet-stream")},
            "data": {"kind": "enterprises", "dry_run": "true"},
        },
        status=201,
    ),
]


CLOCK_WRITES = [
    Write(
        "move_clock",
        "PATCH",
        "/api/v1/clock",
        "service_clock",
        "update",
        lambda ctx, body: changed(offset_seconds=(0, 86400), reason=(None, "演练")),
        body=lambda ctx: {"offset_seconds": 86400, "reason": "演练"},
        resource_id=lambda ctx, body: "service",
    ),
]

DOMAIN_WRITES: list[Write] = (
    CLOCK_WRITES
    + VISIT_WRITES
    + RESPONSIBILITY_WRITES
    + PLATFORM_WRITES
    + PUBLIC_REPORT_WRITES
    + STATISTICS_WRITES
)
