"""Export specifications of the lists (columns with en / zh headers) and their HTTP handlers.

A list's export reuses the list's own service function page by page, so scope, filters, sort
and personal-data masking are exactly those of the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import record_personal_data_export
from app.auth.principal import Principal
from app.config import Settings
from app.core.export import ExportColumn, ExportFormat, Row, nested
from app.core.export_http import export_query_model, model_rows, stream_export
from app.enterprises import repository as enterprise_repository
from app.enterprises import service as enterprise_service
from app.enterprises.schemas import EnterpriseFilter
from app.hazards import service as hazard_service
from app.hazards.schemas import HazardFilter
from app.reference import repository as reference_repository

ENTERPRISE_COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn("id", "ID", "系统编号"),
    ExportColumn("uscc", "Unified social credit code", "统一社会信用代码"),
    ExportColumn("name", "Name", "单位名称"),
    ExportColumn("kind", "Kind", "单位类型", enum="unit_kind"),
    ExportColumn("region_code", "Region code", "所属乡镇（街道）代码"),
    ExportColumn("region_name", "Town or street", "所属乡镇（街道）"),
    ExportColumn("address", "Address", "地址"),
    ExportColumn("lat", "Latitude", "纬度", nested("location", "lat")),
    ExportColumn("lon", "Longitude", "经度", nested("location", "lon")),
    ExportColumn("sectors", "Sectors", "行业领域", enum="sector"),
    ExportColumn("industry_code", "Industry code (GB/T 4754)", "国民经济行业代码"),
    ExportColumn(
        "legal_representative_name",
        "Legal representative",
        "法定代表人",
        nested("legal_representative", "name"),
    ),
    ExportColumn(
        "legal_representative_phone",
        "Legal representative phone",
        "法定代表人电话",
        nested("legal_representative", "phone"),
    ),
    ExportColumn(
        "main_responsible_person_name",
        "Main responsible person",
        "主要负责人",
        nested("main_responsible_person", "name"),
    ),
    ExportColumn(
        "main_responsible_person_phone",
        "Main responsible person phone",
        "主要负责人电话",
        nested("main_responsible_person", "phone"),
    ),
    ExportColumn(
        "safety_manager_name", "Safety manager", "安全管理人员", nested("safety_manager", "name")
    ),
    ExportColumn(
        "safety_manager_phone",
        "Safety manager phone",
        "安全管理人员电话",
        nested("safety_manager", "phone"),
    ),
    ExportColumn("size", "Size", "企业规模", enum="enterprise_size"),
    ExportColumn("risk_grade", "Risk grade", "风险等级", enum="risk_grade"),
    ExportColumn("status", "Status", "状态", enum="enterprise_status"),
    ExportColumn("status_reason", "Status reason", "状态原因"),
    ExportColumn("version", "Version", "版本"),
    ExportColumn("created_at", "Created at", "创建时间"),
    ExportColumn("updated_at", "Updated at", "更新时间"),
)


if TYPE_CHECKING:

    class EnterpriseExportFilter(EnterpriseFilter):
        format: ExportFormat | None

else:
    EnterpriseExportFilter = export_query_model(EnterpriseFilter, "EnterpriseExportFilter")

if TYPE_CHECKING:

    class HazardExportFilter(HazardFilter):
        format: ExportFormat | None

else:
    HazardExportFilter = export_query_model(HazardFilter, "HazardExportFilter")


async def export_enterprises(
    request: Request,
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    query: EnterpriseExportFilter,
) -> StreamingResponse:
    base = EnterpriseFilter.model_validate(query.model_dump(exclude={"format"}))
    if base.sort is None:  # creation order (uuid7), read along the primary key index
        base = base.model_copy(update={"sort": "id"})

    async def fetch(
        batch_session: AsyncSession, cursor: str | None, size: int
    ) -> tuple[Sequence[Row], str | None]:
        page_settings = settings.model_copy(update={"page_limit_max": size})
        page = await enterprise_service.list_enterprises(
            batch_session,
            page_settings,
            principal,
            base.model_copy(update={"cursor": cursor, "limit": size}),
        )
        rows = [dict(r) for r in model_rows(page.items)]
        towns = await reference_repository.region_names(
            batch_session, [r["region_code"] for r in rows]
        )
        for r in rows:
            r["region_name"] = towns.get(r["region_code"])
        return rows, page.next_cursor

    record_personal_data_export(
        session,
        principal,
        resource_type="enterprise",
        fields=[
            f"{c}.phone"
            for c in ("legal_representative", "main_responsible_person", "safety_manager")
        ],
        filters=base.model_dump(mode="json", exclude_none=True),
        region_code=base.region,
    )
    return await stream_export(
        request,
        session,
        settings,
        format_param=query.format,
        columns=ENTERPRISE_COLUMNS,
        fetch=fetch,
        name="enterprises",
        name_zh="生产经营单位",
    )


HAZARD_COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn("code", "Hazard code", "隐患编号"),
    ExportColumn("title", "Title", "隐患名称"),
    ExportColumn("description", "Description", "隐患描述"),
    ExportColumn("enterprise_name", "Enterprise", "单位名称"),
    ExportColumn("enterprise_uscc", "Unified social credit code", "统一社会信用代码"),
    ExportColumn("region_name", "Town or street", "所属乡镇（街道）"),
    ExportColumn("region_code", "Region code", "所属乡镇（街道）代码"),
    ExportColumn("sector", "Sector", "行业领域", enum="sector"),
    ExportColumn("place", "Place", "隐患部位"),
    ExportColumn("category", "Category", "隐患类别", enum="hazard_category"),
    ExportColumn("level", "Level", "隐患等级", enum="hazard_level"),
    ExportColumn("treatment_type", "Treatment", "整改方式", enum="treatment_type"),
    ExportColumn("source", "Source", "隐患来源", enum="hazard_source"),
    ExportColumn("status", "Status", "状态", enum="hazard_status"),
    ExportColumn("found_at", "Found at", "发现时间"),
    ExportColumn("found_by_name", "Found by", "发现人"),
    ExportColumn(
        "responsible_person_name",
        "Responsible person",
        "整改责任人",
        nested("responsible_person", "name"),
    ),
    ExportColumn(
        "responsible_person_phone",
        "Responsible person phone",
        "整改责任人电话",
        nested("responsible_person", "phone"),
    ),
    ExportColumn("responsible_unit", "Responsible unit", "整改责任单位"),
    ExportColumn("measures", "Measures", "整改措施"),
    ExportColumn("deadline", "Deadline", "整改期限"),
    ExportColumn("overdue", "Overdue", "是否逾期", enum="yes_no"),
    ExportColumn("order_department_name", "Ordering department", "责令整改部门"),
    ExportColumn("order_document_number", "Order document number", "指令书文号"),
    ExportColumn("closed_at", "Closed at", "销号时间"),
    ExportColumn("cancelled_at", "Cancelled at", "撤销时间"),
    ExportColumn("enterprise_id", "Enterprise ID", "单位系统编号"),
    ExportColumn("id", "ID", "系统编号"),
    ExportColumn("version", "Version", "版本"),
)


async def _named(session: AsyncSession, rows: list[dict[str, Any]]) -> Sequence[Row]:
    """Rows with the names of what they cite: enterprise (name, credit code), town, ordering
    department — a county office reads names, not ids."""
    enterprises = await enterprise_repository.names_and_codes(
        session, [r["enterprise_id"] for r in rows if r.get("enterprise_id")]
    )
    towns = await reference_repository.region_names(session, [r["region_code"] for r in rows])
    departments = await reference_repository.department_names(
        session, [r["order_department_id"] for r in rows if r.get("order_department_id")]
    )
    for r in rows:
        named = enterprises.get(r["enterprise_id"])
        r["enterprise_name"], r["enterprise_uscc"] = named if named else (None, None)
        r["region_name"] = towns.get(r.get("region_code") or "")
        department = r.get("order_department_id")
        r["order_department_name"] = departments.get(department) if department else None
        if isinstance(r.get("overdue"), bool):
            r["overdue"] = "yes" if r["overdue"] else "no"
    return rows


async def export_hazards(
    request: Request,
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    query: HazardExportFilter,
) -> StreamingResponse:
    """``GET /api/v1/hazards/export``: the hazard list's rows (same scope, filters, masking),
    in ``id`` order unless ``sort`` says otherwise, with the names of what they cite."""
    base = HazardFilter.model_validate(query.model_dump(exclude={"format"}))
    if base.sort is None:  # creation order (uuid7), as the docs say of every export
        base = base.model_copy(update={"sort": "id"})

    async def fetch(
        batch_session: AsyncSession, cursor: str | None, size: int
    ) -> tuple[Sequence[Row], str | None]:
        page_settings = settings.model_copy(update={"page_limit_max": size})
        page = await hazard_service.list_hazards(
            batch_session,
            page_settings,
            principal,
            base.model_copy(update={"cursor": cursor, "limit": size}),
        )
        return await _named(
            batch_session, [dict(r) for r in model_rows(page.items)]
        ), page.next_cursor

    record_personal_data_export(
        session,
        principal,
        resource_type="hazard",
        fields=["responsible_person.phone"],
        filters=base.model_dump(mode="json", exclude_none=True),
        region_code=base.region,
    )
    return await stream_export(
        request,
        session,
        settings,
        format_param=query.format,
        columns=HAZARD_COLUMNS,
        fetch=fetch,
        name="hazards",
        name_zh="事故隐患",
    )
