"""Public report enums (every one served with labels at /api/v1/reference/enums)."""

from __future__ import annotations

from enum import StrEnum

from app.core.enums import labelled


@labelled(
    "public_report_channel",
    {
        "12350": ("12350 work-safety hotline", "12350 安全生产举报热线"),
        "12345": ("12345 government hotline", "12345 政务服务便民热线"),
        "web": ("Website", "网站"),
        "app": ("Mobile app", "移动应用"),
        "letter": ("Letter", "信件"),
        "visit": ("In person", "来访"),
        "email": ("E-mail", "电子邮件"),
    },
)
class ReportChannel(StrEnum):
    hotline_12350 = "12350"
    hotline_12345 = "12345"
    web = "web"
    app = "app"
    letter = "letter"
    visit = "visit"
    email = "email"


@labelled(
    "public_report_category",
    {
        "major_hazard": ("Major hazard", "重大事故隐患"),
        "illegal_production": ("Illegal production or operation", "非法违法生产经营建设行为"),
        "concealed_accident": ("Concealed accident", "瞒报谎报迟报生产安全事故"),
        "accident_with_deaths": ("Accident with deaths", "发生人员死亡的生产安全事故"),
    },
)
class ReportCategory(StrEnum):
    major_hazard = "major_hazard"
    illegal_production = "illegal_production"
    concealed_accident = "concealed_accident"
    accident_with_deaths = "accident_with_deaths"


@labelled(
    "public_report_status",
    {
        "received": ("Received, awaiting acceptance", "已登记待受理"),
        "accepted": ("Accepted", "已受理"),
        "rejected": ("Rejected as out of remit", "不予受理"),
        "verified": ("Verified, awaiting reply", "已核查待答复"),
        "closed": ("Closed (reply given)", "已办结"),
    },
)
class ReportStatus(StrEnum):
    received = "received"
    accepted = "accepted"
    rejected = "rejected"
    verified = "verified"
    closed = "closed"


OPEN_STATUSES = (ReportStatus.received, ReportStatus.accepted, ReportStatus.verified)


@labelled(
    "public_report_finding",
    {
        "true": ("True", "属实"),
        "partly_true": ("Partly true", "部分属实"),
        "false": ("False", "不属实"),
    },
)
class ReportFinding(StrEnum):
    true = "true"
    partly_true = "partly_true"
    false = "false"


@labelled(
    "public_report_verification_method",
    {
        "desk_check": ("Desk check", "书面核查"),
        "verification_visit": ("Verification visit", "现场核查"),
    },
)
class VerificationMethod(StrEnum):
    desk_check = "desk_check"
    verification_visit = "verification_visit"


@labelled(
    "public_report_reward_status",
    {
        "none": ("No decision", "未决定"),
        "decided": ("Reward decided", "已决定奖励"),
        "paid": ("Reward paid", "奖励已发放"),
    },
)
class RewardStatus(StrEnum):
    none = "none"
    decided = "decided"
    paid = "paid"
