"""Foundation enums: sectors, unit kinds, enterprise status, risk grades, department kinds."""

from __future__ import annotations

from enum import StrEnum

from app.core.enums import labelled


@labelled(
    "sector",
    {
        "school": ("Schools", "校园"),
        "fire": ("Fire safety", "消防"),
        "coal": ("Coal mines", "煤矿"),
        "hazchem": ("Hazardous chemicals", "危险化学品"),
        "fireworks": ("Fireworks", "烟花爆竹"),
        "road": ("Road traffic", "道路交通"),
        "construction": ("Construction", "建筑施工"),
        "gas": ("Urban gas", "城镇燃气"),
        "industry_trade": ("Industry and trade", "工贸"),
        "other": ("Other", "其他"),
    },
)
class Sector(StrEnum):
    school = "school"
    fire = "fire"
    coal = "coal"
    hazchem = "hazchem"
    fireworks = "fireworks"
    road = "road"
    construction = "construction"
    gas = "gas"
    industry_trade = "industry_trade"
    other = "other"


@labelled(
    "unit_kind",
    {
        "enterprise": ("Enterprise", "企业"),
        "school": ("School", "学校"),
        "construction_project": ("Construction project", "建设工程项目"),
        "gas_station": ("Gas station", "加油加气站"),
        "public_place": ("Public place", "公共场所"),
        "other": ("Other", "其他"),
    },
)
class UnitKind(StrEnum):
    enterprise = "enterprise"
    school = "school"
    construction_project = "construction_project"
    gas_station = "gas_station"
    public_place = "public_place"
    other = "other"


@labelled(
    "enterprise_status",
    {
        "operating": ("Operating", "正常生产经营"),
        "suspended": ("Suspended for rectification", "停产停业整顿"),
        "closed": ("Closed", "关闭取缔"),
    },
)
class EnterpriseStatus(StrEnum):
    operating = "operating"
    suspended = "suspended"
    closed = "closed"


@labelled(
    "risk_grade",
    {
        "red": ("Major risk (red)", "重大风险（红）"),
        "orange": ("High risk (orange)", "较大风险（橙）"),
        "yellow": ("General risk (yellow)", "一般风险（黄）"),
        "blue": ("Low risk (blue)", "低风险（蓝）"),
    },
)
class RiskGrade(StrEnum):
    red = "red"
    orange = "orange"
    yellow = "yellow"
    blue = "blue"


RISK_GRADE_RANK = {RiskGrade.red: 0, RiskGrade.orange: 1, RiskGrade.yellow: 2, RiskGrade.blue: 3}


@labelled(
    "enterprise_size",
    {
        "large": ("Large", "大型"),
        "medium": ("Medium", "中型"),
        "small": ("Small", "小型"),
        "micro": ("Micro", "微型"),
    },
)
class EnterpriseSize(StrEnum):
    large = "large"
    medium = "medium"
    small = "small"
    micro = "micro"


@labelled(
    "department_kind",
    {
        "county_government": ("County government", "县（区）人民政府"),
        "committee_office": ("Safety committee office", "安委会办公室"),
        "department": ("Government department", "政府部门"),
        "town_government": ("Town/street government", "乡镇人民政府（街道办事处）"),
        "other": ("Other", "其他"),
    },
)
class DepartmentKind(StrEnum):
    county_government = "county_government"
    committee_office = "committee_office"
    department = "department"
    town_government = "town_government"
    other = "other"
