"""Enums of the responsibility domain (each listed in /api/v1/reference/enums)."""

from __future__ import annotations

from enum import StrEnum

from app.core.enums import labelled


@labelled(
    "responsibility_kind",
    {
        "territorial": ("Territorial responsibility", "属地管理责任"),
        "departmental_supervision": ("Departmental supervision", "部门监管责任"),
        "enterprise_main_responsible": ("Enterprise main responsible person", "企业主要负责人"),
        "enterprise_safety_manager": ("Enterprise safety manager", "企业安全管理人员"),
        "leader_liaison": ("Leader liaison (包联/包保)", "领导包联包保"),
        "hazchem_main_responsible": (
            "Major hazard source: main responsible person",
            "重大危险源主要负责人",
        ),
        "hazchem_technical_lead": ("Major hazard source: technical lead", "重大危险源技术负责人"),
        "hazchem_operations_lead": ("Major hazard source: operations lead", "重大危险源操作负责人"),
        "hazard_rectification": ("Hazard rectification responsible person", "隐患整改责任人"),
    },
)
class ResponsibilityKind(StrEnum):
    territorial = "territorial"
    departmental_supervision = "departmental_supervision"
    enterprise_main_responsible = "enterprise_main_responsible"
    enterprise_safety_manager = "enterprise_safety_manager"
    leader_liaison = "leader_liaison"
    hazchem_main_responsible = "hazchem_main_responsible"
    hazchem_technical_lead = "hazchem_technical_lead"
    hazchem_operations_lead = "hazchem_operations_lead"
    hazard_rectification = "hazard_rectification"


@labelled(
    "responsibility_holder_type",
    {
        "person": ("Person", "个人"),
        "department": ("Government unit", "单位"),
    },
)
class HolderType(StrEnum):
    person = "person"
    department = "department"


@labelled(
    "responsibility_object_type",
    {
        "region": ("Region", "行政区域"),
        "sector_region": ("Sector in a region", "区域内行业领域"),
        "enterprise": ("Enterprise", "生产经营单位"),
        "hazard": ("Hazard", "事故隐患"),
        "major_hazard_source": ("Major hazard source", "重大危险源"),
    },
)
class ObjectType(StrEnum):
    region = "region"
    sector_region = "sector_region"
    enterprise = "enterprise"
    hazard = "hazard"
    major_hazard_source = "major_hazard_source"


@labelled(
    "responsibility_source",
    {
        "explicit": ("Assigned (appointing document)", "明确指定"),
        "derived": ("Derived from department sectors and region", "按部门职责与区划推定"),
        "hazard_record": ("Named on the hazard record", "隐患登记信息"),
    },
)
class ChainSource(StrEnum):
    explicit = "explicit"
    derived = "derived"
    hazard_record = "hazard_record"


@labelled(
    "responsibility_snapshot_reason",
    {
        "overdue": ("Became overdue", "逾期"),
        "escalated": ("Escalated", "升级处置"),
        "closed": ("Closed", "销号"),
    },
)
class SnapshotReason(StrEnum):
    overdue = "overdue"
    escalated = "escalated"
    closed = "closed"


@labelled(
    "responsibility_gap_kind",
    {
        "major_hazard_without_leader": ("Major hazard without a leader", "重大隐患未落实包保领导"),
        "red_enterprise_without_leader": (
            "Red-grade enterprise without a leader",
            "重大风险单位未落实包保领导",
        ),
        "sector_without_supervision": (
            "Enterprise sector without a supervising department",
            "行业领域无监管部门",
        ),
        "enterprise_without_main_responsible": (
            "Enterprise without a main responsible person",
            "单位未明确主要负责人",
        ),
        "assignment_expiring": ("Assignment expiring soon", "责任即将到期"),
        "visit_frequency_missed": ("Required visit frequency not met", "未按要求频次检查"),
        "assignment_unconfirmed": (
            "Re-confirmation asked and not answered",
            "责任复核确认未答复",
        ),
        "assignment_declined": ("Holder declined the responsibility", "责任人不予确认"),
    },
)
class GapKind(StrEnum):
    major_hazard_without_leader = "major_hazard_without_leader"
    red_enterprise_without_leader = "red_enterprise_without_leader"
    sector_without_supervision = "sector_without_supervision"
    enterprise_without_main_responsible = "enterprise_without_main_responsible"
    assignment_expiring = "assignment_expiring"
    visit_frequency_missed = "visit_frequency_missed"
    assignment_unconfirmed = "assignment_unconfirmed"
    assignment_declined = "assignment_declined"


@labelled(
    "responsibility_confirmation",
    {
        "not_requested": ("Not asked yet", "尚未发起复核"),
        "requested": ("Asked, not answered", "待确认"),
        "confirmed": ("Confirmed", "已确认"),
        "declined": ("Declined", "不予确认"),
    },
)
class ConfirmationState(StrEnum):
    not_requested = "not_requested"
    requested = "requested"
    confirmed = "confirmed"
    declined = "declined"


K = ResponsibilityKind
Ob = ObjectType
H = HolderType

# Which holders and objects fit each kind (anything else is 422 responsibility_kind_mismatch).
KIND_RULES: dict[ResponsibilityKind, tuple[frozenset[HolderType], frozenset[ObjectType]]] = {
    K.territorial: (frozenset({H.department, H.person}), frozenset({Ob.region, Ob.enterprise})),
    K.departmental_supervision: (
        frozenset({H.department}),
        frozenset({Ob.sector_region, Ob.enterprise}),
    ),
    K.enterprise_main_responsible: (frozenset({H.person}), frozenset({Ob.enterprise})),
    K.enterprise_safety_manager: (frozenset({H.person}), frozenset({Ob.enterprise})),
    K.leader_liaison: (
        frozenset({H.person}),
        frozenset({Ob.enterprise, Ob.hazard, Ob.major_hazard_source}),
    ),
    K.hazchem_main_responsible: (frozenset({H.person}), frozenset({Ob.major_hazard_source})),
    K.hazchem_technical_lead: (frozenset({H.person}), frozenset({Ob.major_hazard_source})),
    K.hazchem_operations_lead: (frozenset({H.person}), frozenset({Ob.major_hazard_source})),
    K.hazard_rectification: (frozenset({H.person}), frozenset({Ob.hazard})),
}
# A person holding one of these must be staff of the object's enterprise.
ENTERPRISE_STAFF_KINDS = frozenset(
    {
        K.enterprise_main_responsible,
        K.enterprise_safety_manager,
        K.hazchem_main_responsible,
        K.hazchem_technical_lead,
        K.hazchem_operations_lead,
    }
)
# A person holding one of these must be a government official (not enterprise staff).
OFFICIAL_KINDS = frozenset({K.territorial, K.leader_liaison})
HAZCHEM_KINDS = frozenset(
    {K.hazchem_main_responsible, K.hazchem_technical_lead, K.hazchem_operations_lead}
)
