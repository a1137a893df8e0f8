"""Enums of the visits domain (each listed in /api/v1/reference/enums)."""

from __future__ import annotations

from enum import StrEnum

from app.core.enums import labelled


@labelled(
    "visit_type",
    {
        "self_inspection": ("Enterprise self-inspection", "企业自查"),
        "departmental": ("Departmental enforcement inspection", "执法检查"),
        "joint": ("Joint inspection", "部门联查"),
        "supervisory": ("Supervisory inspection", "督导检查"),
        "leader_led": ("Leader-led inspection", "领导带队检查"),
        "unannounced": ("Unannounced inspection", "四不两直"),
        "lookback": ("Look-back", "回头看"),
        "report_verification": ("Report verification", "举报核查"),
        "expert_service": ("Expert service", "专家指导服务"),
        "special_campaign": ("Special campaign inspection", "专项检查"),
        "acceptance": ("Acceptance", "验收"),
    },
)
class VisitType(StrEnum):
    self_inspection = "self_inspection"
    departmental = "departmental"
    joint = "joint"
    supervisory = "supervisory"
    leader_led = "leader_led"
    unannounced = "unannounced"
    lookback = "lookback"
    report_verification = "report_verification"
    expert_service = "expert_service"
    special_campaign = "special_campaign"
    acceptance = "acceptance"


# Visits that end in a written on-site record (现场检查记录, Art 68).
RECORD_TYPES = frozenset(VisitType) - {VisitType.self_inspection, VisitType.expert_service}
# Visits about given hazards (they carry hazard_ids).
HAZARD_TYPES = frozenset({VisitType.lookback, VisitType.acceptance})


@labelled(
    "visit_status",
    {
        "planned": ("Planned", "计划"),
        "in_progress": ("In progress", "进行中"),
        "completed": ("Completed", "已完成"),
        "cancelled": ("Cancelled", "已取消"),
    },
)
class VisitStatus(StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    completed = "completed"
    cancelled = "cancelled"


@labelled(
    "visit_member_role",
    {
        "inspector": ("Inspector", "检查人员"),
        "leader": ("Leading official", "带队领导"),
        "expert": ("Expert", "专家"),
        "staff": ("Staff", "工作人员"),
    },
)
class MemberRole(StrEnum):
    inspector = "inspector"
    leader = "leader"
    expert = "expert"
    staff = "staff"


@labelled(
    "item_result",
    {
        "pass": ("Pass", "符合"),
        "fail": ("Fail", "不符合"),
        "not_applicable": ("Not applicable", "不适用"),
    },
)
class ItemResult(StrEnum):
    pass_ = "pass"  # noqa: S105 - not a secret
    fail = "fail"
    not_applicable = "not_applicable"


@labelled(
    "lookback_outcome",
    {
        "held": ("Held", "整改成果保持"),
        "relapsed": ("Relapsed", "反弹"),
    },
)
class LookbackOutcome(StrEnum):
    held = "held"
    relapsed = "relapsed"


@labelled(
    "acceptance_result",
    {
        "passed": ("Passed", "验收通过"),
        "failed": ("Failed", "验收不通过"),
    },
)
class AcceptanceResult(StrEnum):
    passed = "passed"
    failed = "failed"


@labelled(
    "onsite_record_status",
    {
        "draft": ("Draft", "草稿"),
        "signing": ("Being signed", "签署中"),
        "signed": ("Signed", "已签署"),
    },
)
class RecordStatus(StrEnum):
    draft = "draft"
    signing = "signing"
    signed = "signed"


@labelled(
    "signer_role",
    {
        "inspector": ("Inspector", "检查人员"),
        "unit_head": ("Head of the inspected unit", "被检查单位负责人"),
    },
)
class SignerRole(StrEnum):
    inspector = "inspector"
    unit_head = "unit_head"


@labelled(
    "signature_capture",
    {
        "own_account": ("Signed by the authenticated signer", "本人账号签署"),
        "inspector_device": (
            "Captured on the inspector's device",
            "在检查人员设备上由被检查单位负责人手写签名",
        ),
    },
)
class SignatureCapture(StrEnum):
    own_account = "own_account"
    inspector_device = "inspector_device"


@labelled(
    "enforcement_document_kind",
    {
        "rectification_order": ("Rectification order", "责令限期整改指令书"),
        "on_site_decision": ("On-site handling decision", "现场处理措施决定书"),
        "re_check_opinion": ("Re-check opinion", "整改复查意见书"),
        "penalty_decision": ("Administrative penalty decision", "行政处罚决定书"),
        "suspension_decision": ("Suspension decision", "停产停业整顿决定"),
        "closure_request": ("Request for closure", "提请关闭"),
        "listing_notice": ("Supervised listing notice", "挂牌督办通知书"),
    },
)
class DocumentKind(StrEnum):
    rectification_order = "rectification_order"
    on_site_decision = "on_site_decision"
    re_check_opinion = "re_check_opinion"
    penalty_decision = "penalty_decision"
    suspension_decision = "suspension_decision"
    closure_request = "closure_request"
    listing_notice = "listing_notice"


@labelled(
    "listing_level",
    {
        "province": ("Province", "省级"),
        "city": ("City", "市级"),
        "county": ("County", "县级"),
        "town": ("Town", "乡镇级"),
    },
)
class ListingLevel(StrEnum):
    province = "province"
    city = "city"
    county = "county"
    town = "town"
