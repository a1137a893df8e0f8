"""Hazard enums (each labelled for /api/v1/reference/enums)."""

from __future__ import annotations

from enum import StrEnum

from app.core.enums import labelled


@labelled(
    "hazard_status",
    {
        "reported": ("Reported", "已上报"),
        "registered": ("Registered", "已登记"),
        "planning": ("Treatment plan in preparation", "治理方案编制中"),
        "rectifying": ("Rectifying", "整改中"),
        "extension_requested": ("Extension requested", "延期申请中"),
        "pending_verification": ("Pending acceptance", "待验收"),
        "escalated": ("Escalated", "已升级处置"),
        "closed": ("Closed", "已销号"),
        "cancelled": ("Cancelled", "已撤销"),
    },
)
class HazardStatus(StrEnum):
    reported = "reported"
    registered = "registered"
    planning = "planning"
    rectifying = "rectifying"
    extension_requested = "extension_requested"
    pending_verification = "pending_verification"
    escalated = "escalated"
    closed = "closed"
    cancelled = "cancelled"


TERMINAL = frozenset({HazardStatus.closed, HazardStatus.cancelled})
OPEN = frozenset(HazardStatus) - TERMINAL


@labelled(
    "hazard_level",
    {
        "general": ("General hazard", "一般事故隐患"),
        "major": ("Major hazard", "重大事故隐患"),
    },
)
class HazardLevel(StrEnum):
    general = "general"
    major = "major"


@labelled(
    "hazard_category",
    {
        "unsafe_act": ("Unsafe act", "人的不安全行为"),
        "unsafe_condition": ("Unsafe condition", "物的不安全状态"),
        "management_defect": ("Management defect", "管理缺陷"),
        "environment": ("Environmental factor", "环境因素"),
    },
)
class HazardCategory(StrEnum):
    unsafe_act = "unsafe_act"
    unsafe_condition = "unsafe_condition"
    management_defect = "management_defect"
    environment = "environment"


@labelled(
    "treatment_type",
    {
        "immediate": ("Fixed on the spot", "即查即改"),
        "by_deadline": ("Rectification by deadline", "限期整改"),
    },
)
class TreatmentType(StrEnum):
    immediate = "immediate"
    by_deadline = "by_deadline"


@labelled(
    "hazard_source",
    {
        "self_inspection": ("Enterprise self-inspection", "企业自查"),
        "departmental": ("Departmental inspection", "部门检查"),
        "joint": ("Joint inspection", "部门联查"),
        "supervisory": ("Supervisory inspection", "督导检查"),
        "unannounced": ("Unannounced inspection", "四不两直"),
        "look_back": ("Look-back", "回头看"),
        "public_report": ("Public report", "举报"),
        "other": ("Other", "其他"),
    },
)
class HazardSource(StrEnum):
    self_inspection = "self_inspection"
    departmental = "departmental"
    joint = "joint"
    supervisory = "supervisory"
    unannounced = "unannounced"
    look_back = "look_back"
    public_report = "public_report"
    other = "other"


@labelled(
    "production_order",
    {
        "none": ("No stop", "无需停产"),
        "partial_stop": ("Partial stop", "局部停产停业"),
        "full_stop": ("Full stop", "全部停产停业"),
    },
)
class ProductionOrder(StrEnum):
    none = "none"
    partial_stop = "partial_stop"
    full_stop = "full_stop"


@labelled(
    "listing_level",
    {
        "province": ("Province", "省级挂牌督办"),
        "city": ("City", "市级挂牌督办"),
        "county": ("County", "县级挂牌督办"),
        "town": ("Town/street", "乡镇（街道）挂牌督办"),
    },
)
class ListingLevel(StrEnum):
    province = "province"
    city = "city"
    county = "county"
    town = "town"


@labelled(
    "escalation_measure",
    {
        "fine": ("Fine", "罚款"),
        "suspension": ("Suspension for rectification", "停产停业整顿"),
        "power_cut_notice": ("Power cut (24 h notice)", "停止供电（提前24小时通知）"),
        "closure_request": ("Request for closure", "提请关闭"),
    },
)
class EscalationMeasure(StrEnum):
    fine = "fine"
    suspension = "suspension"
    power_cut_notice = "power_cut_notice"
    closure_request = "closure_request"


@labelled(
    "escalation_grounds",
    {
        "overdue": ("Deadline passed", "逾期未整改"),
        "refused": ("Refused to rectify", "拒不整改"),
    },
)
class EscalationGrounds(StrEnum):
    overdue = "overdue"
    refused = "refused"


@labelled(
    "hazard_action",
    {
        "report": ("Reported", "上报"),
        "update": ("Details updated", "修改信息"),
        "register": ("Registered", "登记"),
        "regrade": ("Re-graded", "重新定级"),
        "regrade_major": ("Re-graded major during rectification", "整改中重新认定为重大隐患"),
        "fix_on_spot": ("Fixed on the spot", "即查即改"),
        "order_rectification": ("Rectification ordered", "责令限期整改"),
        "report_major": ("Major hazard reported", "重大隐患报告"),
        "list": ("Supervised listing", "挂牌督办"),
        "submit_plan": ("Treatment plan submitted", "提交治理方案"),
        "report_progress": ("Progress reported", "报告整改进展"),
        "request_extension": ("Extension requested", "申请延期"),
        "approve_extension": ("Extension approved", "批准延期"),
        "reject_extension": ("Extension rejected", "驳回延期"),
        "declare_completion": ("Completion declared", "申报整改完成"),
        "accept": ("Accepted and closed", "验收销号"),
        "reject_acceptance": ("Acceptance failed", "验收不通过"),
        "escalate": ("Escalated", "升级处置"),
        "cancel": ("Cancelled", "撤销"),
        "link_relapse": ("Linked as relapse", "关联反弹隐患"),
        "relapse_found": ("Relapse found at look-back", "回头看发现反弹"),
        "assign_experts": ("Experts assigned", "指派专家"),
    },
)
class HazardAction(StrEnum):
    report = "report"
    update = "update"
    register = "register"
    regrade = "regrade"
    regrade_major = "regrade_major"
    fix_on_spot = "fix_on_spot"
    order_rectification = "order_rectification"
    report_major = "report_major"
    list = "list"
    submit_plan = "submit_plan"
    report_progress = "report_progress"
    request_extension = "request_extension"
    approve_extension = "approve_extension"
    reject_extension = "reject_extension"
    declare_completion = "declare_completion"
    accept = "accept"
    reject_acceptance = "reject_acceptance"
    escalate = "escalate"
    cancel = "cancel"
    link_relapse = "link_relapse"
    relapse_found = "relapse_found"
    assign_experts = "assign_experts"
