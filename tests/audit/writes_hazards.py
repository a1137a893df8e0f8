"""``Write`` rows for the hazard register, its actions and attachments (see test_every_write)."""

from __future__ import annotations

import hashlib
from typing import Any
from unittest.mock import ANY

from tests.audit.kit import Ctx, Kit, Setup, Write, changed, created, includes
from tests.factories import COUNTY
from tests.hazards.builders import (
    PNG,
    World,
    add_person,
    hazard_body,
    in_days,
    make_world,
    order_body,
    plan_body,
)

H = "/api/v1/hazards"
HZ = H + "/{hazard[id]}"


async def _world(kit: Kit, ctx: Ctx) -> World:
    """The hazards suite's world, with the department official and the enterprise user under
    known subjects (``audit-<role>``) so the rows can check the actor."""
    world = await make_world(kit.client, kit.token, kit.admin)
    world.dept = kit.as_(
        ctx, "department_official", region_code=COUNTY, department_id=world.department["id"]
    )
    world.enterprise_user = kit.as_(ctx, "enterprise_user", enterprise_id=world.ent_id)
    ctx["world"], ctx["enterprise"] = world, world.enterprise
    return world


async def a_world(kit: Kit) -> Ctx:
    ctx: Ctx = {}
    await _world(kit, ctx)
    return ctx


def _at(stage: str) -> Setup:
    async def setup(kit: Kit) -> Ctx:
        ctx: Ctx = {}
        world = await _world(kit, ctx)
        if stage == "reported":
            hz = await world.hazard()
        elif stage == "registered":
            hz = await world.registered()
        elif stage == "registered_immediate":
            hz = await world.registered(treatment="immediate")
        elif stage == "registered_major":
            hz = await world.registered("major")
        elif stage == "planning":
            hz = await world.planning()
        elif stage == "rectifying":
            hz = await world.rectifying()
        elif stage == "extension_requested":
            hz = await world.rectifying()
            hz = await world.ok(
                hz,
                "request-extension",
                {"requested_deadline": in_days(90), "reason": "设备到货延迟"},
                world.enterprise_user,
            )
        else:
            assert stage == "pending_verification"
            hz = await world.pending()
        ctx["hazard"] = hz
        if stage in ("registered_immediate", "rectifying"):
            ctx["photo"] = await world.photo(hz["id"])
        return ctx

    return setup


async def a_relapse(kit: Kit) -> Ctx:
    ctx = await _at("reported")(kit)
    world: World = ctx["world"]
    old = await world.pending()
    ctx["old"] = await world.ok(old, "accept", {"opinion": "合格"}, world.dept)
    return ctx


async def an_expert(kit: Kit) -> Ctx:
    ctx = await _at("reported")(kit)
    ctx["expert_id"] = str(await add_person(kit.connection, subject="audit-expert-person"))
    return ctx


def _status(old: str, new_: str, **more: tuple[Any, Any]) -> Any:
    """The exact diff of a state action: the status move and the fields it sets."""
    return lambda ctx, body: changed(status=(old, new_), **more)


# Accepting a hazard and escalating it both store a responsibility snapshot (who was on duty
# for the unit at that moment, domain.md "Responsibility chain"): that snapshot is a record of
# its own, created in the same transaction, with its own audit row.
_SNAPSHOT = {"responsibility_snapshot": 1}

HAZARD_WRITES: list[Write] = [
    Write(
        "create_hazard",
        "POST",
        H,
        "hazard",
        "report",  # creating a hazard is reporting it (the lifecycle's first step)
        lambda ctx, body: created(
            title=ctx["body"]["title"],
            description=ctx["body"]["description"],
            enterprise_id=ctx["enterprise"]["id"],
            sector="hazchem",
            category="unsafe_condition",
            source="departmental",
            status="reported",
            place="储罐区",
            lat=30.259,
            lon=120.13,
            code=ANY,  # assigned by the register: <county>-<year>-<serial>
            found_at=ANY,
            criteria_clause_ids=[],
        ),
        setup=a_world,
        body=lambda ctx: ctx.setdefault("body", hazard_body(ctx["enterprise"]["id"])),
        status=201,
    ),
    Write(
        "update_hazard",
        "PATCH",
        HZ,
        "hazard",
        "update",
        lambda ctx, body: {
            "place": {"old": "储罐区", "new": "二号储罐区"},
            "description": {"old": ANY, "new": "接地线断裂"},
        },
        setup=_at("reported"),
        body=lambda ctx: {"place": "二号储罐区", "description": "接地线断裂"},
    ),
    Write(
        "register_hazard",
        "POST",
        HZ + "/register",
        "hazard",
        "register",
        lambda ctx, body: changed(
            status=("reported", "registered"),
            level=(None, "general"),
            treatment_type=(None, "by_deadline"),
        ),
        setup=_at("reported"),
        body=lambda ctx: {"level": "general", "treatment_type": "by_deadline"},
        actor="department_official",
    ),
    Write(
        "regrade_hazard",
        "POST",
        HZ + "/regrade",
        "hazard",
        "regrade",
        lambda ctx, body: changed(
            level=("general", "major"), expert_note=(None, "专家认定为重大隐患")
        ),
        setup=_at("registered"),
        body=lambda ctx: {"level": "major", "expert_note": "专家认定为重大隐患"},
    ),
    Write(
        "regrade_hazard_major",
        "POST",
        HZ + "/regrade-major",
        "hazard",
        "regrade_major",
        lambda ctx, body: includes(
            level=("general", "major"),
            status=("rectifying", "planning"),
            expert_note=(None, "专家认定为重大隐患"),
        ),
        setup=_at("rectifying"),
        body=lambda ctx: {"reason": "整改中发现重大隐患", "expert_note": "专家认定为重大隐患"},
    ),
    Write(
        "fix_hazard_on_spot",
        "POST",
        HZ + "/fix-on-spot",
        "hazard",
        "fix_on_spot",
        _status("registered", "pending_verification", completed_at=(None, ANY)),
        setup=_at("registered_immediate"),
        body=lambda ctx: {"attachment_ids": [ctx["photo"]]},
        actor="department_official",
    ),
    Write(
        "order_hazard_rectification",
        "POST",
        HZ + "/order-rectification",
        "hazard",
        "order_rectification",
        lambda ctx, body: changed(
            status=("registered", "rectifying"),
            deadline=(None, in_days(30)),
            measures=(None, "更换接地线并检测"),
            responsible_person=(None, {"name": "张三", "phone": "13812345678"}),
            order_department_id=(None, ctx["world"].department["id"]),
            order_document_number=(None, "西应急责改〔2026〕12号"),
        ),
        setup=_at("registered"),
        body=lambda ctx: order_body(),
        actor="department_official",
    ),
    Write(
        "report_major_hazard",
        "POST",
        HZ + "/report-major",
        "hazard",
        "report_major",
        _status("registered", "planning"),
        setup=_at("registered_major"),
        body=lambda ctx: {},
        actor="enterprise_user",
    ),
    Write(
        "list_hazard_for_supervision",
        "POST",
        HZ + "/list",
        "hazard",
        "list",
        lambda ctx, body: changed(
            listed_at=(None, ANY),
            listing_level=(None, "county"),
            listing_issuing_unit=(None, "安委办"),
            listing_notice_number=(None, "挂牌1号"),
            listing_progress_interval_days=(None, 90),
        ),
        setup=_at("planning"),
        body=lambda ctx: {"level": "county", "issuing_unit": "安委办", "notice_number": "挂牌1号"},
        actor="department_official",
    ),
    Write(
        "submit_hazard_plan",
        "POST",
        HZ + "/submit-plan",
        "hazard",
        "submit_plan",
        lambda ctx, body: changed(
            status=("planning", "rectifying"),
            deadline=(None, in_days(60)),
            plan_submitted_at=(None, ANY),
            **{k: (None, v) for k, v in plan_body().items() if k.startswith("plan_")},
        ),
        setup=_at("planning"),
        body=lambda ctx: plan_body(),
        actor="enterprise_user",
    ),
    Write(
        "report_hazard_progress",
        "POST",
        HZ + "/report-progress",
        "hazard",
        "report_progress",
        # progress is a timeline entry; on the hazard only the last-progress time moves
        lambda ctx, body: changed(last_progress_at=(None, ANY)),
        setup=_at("rectifying"),
        body=lambda ctx: {"comment": "已采购接地线"},
        actor="enterprise_user",
    ),
    Write(
        "request_hazard_extension",
        "POST",
        HZ + "/request-extension",
        "hazard",
        "request_extension",
        _status(
            "rectifying",
            "extension_requested",
            extension_reason=(None, "设备到货延迟"),
            extension_requested_deadline=(None, in_days(90)),
        ),
        setup=_at("rectifying"),
        body=lambda ctx: {"requested_deadline": in_days(90), "reason": "设备到货延迟"},
        actor="enterprise_user",
    ),
    Write(
        "approve_hazard_extension",
        "POST",
        HZ + "/approve-extension",
        "hazard",
        "approve_extension",
        _status(
            "extension_requested",
            "rectifying",
            deadline=(in_days(30), in_days(90)),
            extension_reason=("设备到货延迟", None),
            extension_requested_deadline=(in_days(90), None),
        ),
        setup=_at("extension_requested"),
        body=lambda ctx: {"comment": "同意"},
        actor="department_official",
    ),
    Write(
        "reject_hazard_extension",
        "POST",
        HZ + "/reject-extension",
        "hazard",
        "reject_extension",
        _status(
            "extension_requested",
            "rectifying",
            extension_reason=("设备到货延迟", None),
            extension_requested_deadline=(in_days(90), None),
        ),
        setup=_at("extension_requested"),
        body=lambda ctx: {"reason": "理由不充分"},
        actor="department_official",
    ),
    Write(
        "declare_hazard_completion",
        "POST",
        HZ + "/declare-completion",
        "hazard",
        "declare_completion",
        _status(
            "rectifying",
            "pending_verification",
            completed_at=(None, ANY),
            completion_note=(None, "已整改"),
        ),
        setup=_at("rectifying"),
        body=lambda ctx: {"note": "已整改", "attachment_ids": [ctx["photo"]]},
        actor="enterprise_user",
    ),
    Write(
        "accept_hazard",
        "POST",
        HZ + "/accept",
        "hazard",
        "accept",
        _status(
            "pending_verification",
            "closed",
            closed_at=(None, ANY),
            acceptance=(
                None,
                {
                    "on": in_days(0),
                    "experts": [],
                    "opinion": "整改合格",
                    "accepted_by": "audit-department_official",
                },
            ),
        ),
        setup=_at("pending_verification"),
        body=lambda ctx: {"opinion": "整改合格"},
        actor="department_official",
        also=_SNAPSHOT,
    ),
    Write(
        "reject_hazard_acceptance",
        "POST",
        HZ + "/reject-acceptance",
        "hazard",
        "reject_acceptance",
        _status(
            "pending_verification",
            "rectifying",
            deadline=(in_days(30), in_days(40)),
            completed_at=(ANY, None),
        ),
        setup=_at("pending_verification"),
        body=lambda ctx: {"reason": "未整改到位", "deadline": in_days(40)},
        actor="department_official",
    ),
    Write(
        "escalate_hazard",
        "POST",
        HZ + "/escalate",
        "hazard",
        "escalate",
        _status(
            "rectifying",
            "escalated",
            fine_amount=(None, "5000"),
            escalated_at=(None, ANY),
            escalation_measures=([], ["fine"]),
        ),
        setup=_at("rectifying"),
        body=lambda ctx: {
            "measure": "fine",
            "grounds": "refused",
            "document_number": "罚〔2026〕1号",
            "reason": "拒不整改",
            "fine_amount": "5000",
        },
        actor="department_official",
        also=_SNAPSHOT,
    ),
    Write(
        "cancel_hazard",
        "POST",
        HZ + "/cancel",
        "hazard",
        "cancel",
        _status("reported", "cancelled", cancelled_at=(None, ANY), cancel_reason=(None, "误报")),
        setup=_at("reported"),
        body=lambda ctx: {"reason": "误报"},
    ),
    Write(
        "link_hazard_relapse",
        "POST",
        HZ + "/link-relapse",
        "hazard",
        "link_relapse",
        lambda ctx, body: {"relapse_of_id": {"old": None, "new": ctx["old"]["id"]}},
        setup=a_relapse,
        body=lambda ctx: {"relapse_of_id": ctx["old"]["id"]},
        # the closed hazard's own row: relapse_found (with its hazard.relapse_found event)
        also={"hazard": 1},
    ),
    Write(
        "assign_hazard_experts",
        "POST",
        HZ + "/assign-experts",
        "hazard",
        "assign_experts",
        lambda ctx, body: {"assigned_expert_ids": {"old": [], "new": [ctx["expert_id"]]}},
        setup=an_expert,
        body=lambda ctx: {"expert_ids": [ctx["expert_id"]]},
        actor="department_official",
    ),
    Write(
        "upload_attachment",
        "POST",
        "/api/v1/attachments",
        "attachment",
        "create",
        lambda ctx, body: created(
            hazard_id=ctx["hazard"]["id"],
            purpose="after",
            filename="after.png",
            content_type="image/png",
            size_bytes=len(PNG),
            sha256=hashlib.sha256(PNG).hexdigest(),
        ),
        setup=_at("reported"),
        multipart=lambda ctx: {
            "data": {"hazard_id": ctx["hazard"]["id"], "purpose": "after"},
            "files": {"file": ("after.png", PNG, "application/octet-stream")},
        },
        status=201,
    ),
]
