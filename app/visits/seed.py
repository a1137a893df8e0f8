"""Checklist template seed: one sensible template per sector (edition 1). Idempotent.

Items name the legal basis and, where a failure matches a major-hazard criterion, the clause code
of the criteria catalogue (data/criteria/catalogue.json); a failed item with a clause raises a
major hazard.
"""

from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models.visit import ChecklistItem, ChecklistTemplate

_NS = uuid.UUID("6f1c7c3e-4e1b-4b8e-9a51-0d2f6c1a7e01")
_WSL = "《安全生产法》"
_FIRE = "《消防法》"

# sector → (template code, title, [(item code, text, legal basis, criteria clause code)])
TEMPLATES: dict[str, tuple[str, str, list[tuple[str, str, str, str | None]]]] = {
    "school": (
        "school-basic",
        "校园安全检查表",
        [
            (
                "SCH-01",
                "校车：车辆检验合格、驾驶人具备校车驾驶资格、随车照管人员在岗",
                "《校车安全管理条例》",
                None,
            ),
            (
                "SCH-02",
                "校舍建筑：无危房，学生宿舍未设置在地下室或半地下室",
                "《中小学校舍安全管理办法》",
                "school-2024-02",
            ),
            (
                "SCH-03",
                "消防安全：建立消防安全责任体系，明确责任人",
                _FIRE + "第十六条",
                "school-2024-01",
            ),
            (
                "SCH-04",
                "消防设施：火灾自动报警、消火栓、防排烟系统完好有效",
                _FIRE + "第十六条",
                "school-2024-04",
            ),
            (
                "SCH-05",
                "食品安全：食堂持证经营，从业人员健康证明齐全，留样制度落实",
                "《食品安全法》",
                None,
            ),
            (
                "SCH-06",
                "安全出口与疏散通道畅通，应急照明和疏散指示标志完好",
                _FIRE + "第二十八条",
                None,
            ),
            (
                "SCH-07",
                "实验室危险化学品按规定分类存放、专人管理",
                "《危险化学品安全管理条例》",
                None,
            ),
        ],
    ),
    "fire": (
        "fire-basic",
        "消防安全检查表",
        [
            ("FIR-01", "消防安全责任人、管理人明确，制度落实", _FIRE + "第十六条", None),
            ("FIR-02", "消防设施、器材配置齐全并定期检验维修", _FIRE + "第十六条", None),
            ("FIR-03", "疏散通道、安全出口畅通，未锁闭、占用、堵塞", _FIRE + "第二十八条", None),
            ("FIR-04", "电气线路敷设规范，无私拉乱接", "GB 50016", None),
            ("FIR-05", "人员密集场所未采用易燃可燃材料装修", _FIRE + "第二十六条", None),
        ],
    ),
    "coal": (
        "coal-basic",
        "煤矿安全检查表",
        [
            (
                "COA-01",
                "按核定能力组织生产，无超能力、超强度、超定员",
                "《煤矿安全规程》",
                "coal-2021-01",
            ),
            (
                "COA-02",
                "瓦斯监测监控系统正常运行，无瓦斯超限作业",
                "《煤矿安全规程》",
                "coal-2021-02",
            ),
            ("COA-03", "通风系统完善可靠", "《煤矿安全规程》", "coal-2021-05"),
            ("COA-04", "防治水措施落实", "《煤矿防治水细则》", "coal-2021-06"),
            ("COA-05", "双回路供电", "《煤矿安全规程》", "coal-2021-11"),
            ("COA-06", "入井人员安全培训及持证上岗", _WSL + "第二十八条", None),
        ],
    ),
    "hazchem": (
        "hazchem-basic",
        "危险化学品企业安全检查表",
        [
            (
                "HAZ-01",
                "主要负责人和安全管理人员经考核合格",
                _WSL + "第二十七条",
                "hazchem-2017-01",
            ),
            ("HAZ-02", "特种作业人员持证上岗", _WSL + "第三十条", "hazchem-2017-02"),
            (
                "HAZ-03",
                "重大危险源监测监控：罐区紧急切断、在线监测和报警系统正常投用",
                "《危险化学品重大危险源监督管理暂行规定》",
                "hazchem-2017-05",
            ),
            (
                "HAZ-04",
                "可燃有毒气体检测报警装置按标准设置，防爆电气符合要求",
                "GB/T 50493",
                "hazchem-2017-12",
            ),
            (
                "HAZ-05",
                "动火、受限空间等特殊作业执行作业许可（作业票）制度",
                "GB 30871",
                "hazchem-2017-18",
            ),
            (
                "HAZ-06",
                "危险化学品分区分类储存，无超量超品种、禁配物混存",
                "《危险化学品安全管理条例》",
                "hazchem-2017-20",
            ),
            ("HAZ-07", "安全阀、爆破片等安全附件正常投用", "TSG 21", "hazchem-2017-15"),
            ("HAZ-08", "应急预案编制、备案和演练", _WSL + "第八十一条", None),
        ],
    ),
    "fireworks": (
        "fireworks-basic",
        "烟花爆竹企业安全检查表",
        [
            (
                "FWK-01",
                "主要负责人、安全管理人员经考核合格",
                _WSL + "第二十七条",
                "fireworks-2017-01",
            ),
            (
                "FWK-02",
                "特种作业人员持证上岗，无带药检维修",
                _WSL + "第三十条",
                "fireworks-2017-02",
            ),
            ("FWK-03", "仓库储存不超核定药量，防雷设施检测合格", "《烟花爆竹安全管理条例》", None),
            ("FWK-04", "零售点不超量储存，远离人员密集场所", "《烟花爆竹经营许可实施办法》", None),
        ],
    ),
    "road": (
        "road-basic",
        "道路运输企业安全检查表",
        [
            ("ROD-01", "经营许可有效，未超范围经营", "《道路运输条例》", "road-2023-01"),
            (
                "ROD-02",
                "车辆技术状况良好，无报废、改装、拼装车辆",
                "《道路运输条例》",
                "road-2023-02",
            ),
            (
                "ROD-03",
                "动态监控落实，驾驶员无三超一疲劳",
                "《道路运输车辆动态监督管理办法》",
                "road-2023-03",
            ),
            (
                "ROD-04",
                "恶劣天气预警下执行停运或调整计划",
                "《道路旅客运输及客运站管理规定》",
                "road-2023-04",
            ),
            ("ROD-05", "驾驶员安全教育培训记录完整", _WSL + "第二十八条", None),
        ],
    ),
    "construction": (
        "construction-basic",
        "建筑施工安全检查表",
        [
            (
                "CON-01",
                "施工企业持有效安全生产许可证",
                "《建筑施工企业安全生产许可证管理规定》",
                "construction-2022-01",
            ),
            (
                "CON-02",
                "危大工程专项施工方案编制、论证并按方案施工",
                "《危险性较大的分部分项工程安全管理规定》",
                None,
            ),
            ("CON-03", "高处作业防护（临边、洞口）到位", "JGJ 80", None),
            ("CON-04", "起重机械检验合格并办理使用登记", "《特种设备安全法》", None),
            ("CON-05", "支撑结构地基承载力满足设计要求", "JGJ 162", "construction-2022-02"),
        ],
    ),
    "gas": (
        "gas-basic",
        "城镇燃气安全检查表",
        [
            ("GAS-01", "持有效燃气经营许可证", "《城镇燃气管理条例》", "gas-2023-01"),
            ("GAS-02", "建立事故隐患排查治理制度", _WSL + "第四十一条", "gas-2023-03"),
            ("GAS-03", "储罐压力、液位监测和超限报警正常", "GB 51142", "gas-2023-06"),
            ("GAS-04", "设备管道设置超压自动切断和放散装置", "GB 50028", "gas-2023-07"),
            ("GAS-05", "对用户燃气设施定期入户安全检查", "《城镇燃气管理条例》", "gas-2023-05"),
        ],
    ),
    "industry_trade": (
        "industry-trade-basic",
        "工贸企业安全检查表",
        [
            (
                "IND-01",
                "承包、承租单位安全生产统一协调管理",
                _WSL + "第四十九条",
                "industry-trade-2023-01",
            ),
            ("IND-02", "特种作业人员持证上岗", _WSL + "第三十条", "industry-trade-2023-02"),
            (
                "IND-03",
                "有限空间辨识、台账和警示标志",
                "《工贸企业有限空间作业安全规定》",
                "industry-trade-2023-06",
            ),
            (
                "IND-04",
                "有限空间作业审批，先通风、再检测、后作业",
                "《工贸企业有限空间作业安全规定》",
                "industry-trade-2023-07",
            ),
            (
                "IND-05",
                "粉尘防爆措施落实",
                "《工贸企业粉尘防爆安全规定》",
                "industry-trade-2023-08",
            ),
            ("IND-06", "全员安全生产责任制建立并落实", _WSL + "第二十二条", None),
        ],
    ),
    "other": (
        "other-basic",
        "通用安全检查表",
        [
            ("GEN-01", "全员安全生产责任制建立并落实", _WSL + "第二十二条", None),
            ("GEN-02", "安全教育培训记录完整", _WSL + "第二十八条", None),
            ("GEN-03", "隐患排查治理制度和台账", _WSL + "第四十一条", None),
            ("GEN-04", "消防设施器材完好，疏散通道畅通", _FIRE + "第十六条", None),
            ("GEN-05", "应急预案和演练", _WSL + "第八十一条", None),
        ],
    ),
}


def template_id(code: str, edition: int = 1) -> uuid.UUID:
    return uuid.uuid5(_NS, f"{code}:{edition}")


async def load_checklists(conn: AsyncConnection) -> None:
    for sector, (code, title, items) in TEMPLATES.items():
        tid = template_id(code)
        await conn.execute(
            insert(ChecklistTemplate)
            .values(
                id=tid,
                code=code,
                edition=1,
                sector=sector,
                title=title,
                current=True,
                description="默认检查表（种子数据）",
            )
            .on_conflict_do_nothing()
        )
        for order, (item_code, text, basis, clause) in enumerate(items):
            await conn.execute(
                insert(ChecklistItem)
                .values(
                    id=uuid.uuid5(_NS, f"{code}:1:{item_code}"),
                    template_id=tid,
                    code=item_code,
                    text=text,
                    legal_basis=basis,
                    criteria_clause_code=clause,
                    sort_order=order,
                )
                .on_conflict_do_nothing()
            )
