"""Realistic examples of the main resources, added to their schemas in the OpenAPI document.

Spectral (``oas3-valid-schema-example``) checks each one against its schema in ``make clients``.
"""

from __future__ import annotations

from typing import Any

_ENTERPRISE_ID = "01938a6e-2f4b-7c1d-9a3e-5b6c7d8e9f01"
_CONTACT = {"name": "王建国", "phone": "138****5678"}
_ENTERPRISE_CREATE: dict[str, Any] = {
    "uscc": "91330106MA2B3C4D5D",
    "name": "杭州某化工有限公司",
    "kind": "enterprise",
    "region_code": "330106002",
    "address": "杭州市西湖区文三路 100 号",
    "location": {"lat": 30.2741, "lon": 120.1551},
    "sectors": ["hazchem"],
    "industry_code": "C2614",
    "main_responsible_person": {"name": "王建国", "phone": "13800135678"},
    "size": "medium",
    "risk_grade": "orange",
}
_HAZARD_CREATE: dict[str, Any] = {
    "enterprise_id": _ENTERPRISE_ID,
    "title": "储罐区可燃气体报警器失效",
    "description": "2 号储罐区东侧可燃气体检测报警器未通电，无法报警。",
    "sector": "hazchem",
    "place": "2 号储罐区",
    "location": {"lat": 30.2743, "lon": 120.1549},
    "category": "equipment",
    "source": "inspection",
    "found_at": "2026-11-30T10:15:00+08:00",
    "funds": "12000.00",
}

EXAMPLES: dict[str, dict[str, Any]] = {
    "EnterpriseCreate": _ENTERPRISE_CREATE,
    "EnterpriseRead": {
        **_ENTERPRISE_CREATE,
        "id": _ENTERPRISE_ID,
        "main_responsible_person": _CONTACT,
        "legal_representative": None,
        "safety_manager": None,
        "licences": [],
        "status": "operating",
        "status_reason": None,
        "status_document_number": None,
        "version": 3,
        "created_at": "2026-03-02T09:30:00+08:00",
        "updated_at": "2026-11-30T16:05:12+08:00",
        "deleted_at": None,
    },
    "HazardCreate": _HAZARD_CREATE,
    "GeoPoint": {"lat": 30.2741, "lon": 120.1551},
    "Problem": {
        "type": "https://anjian.gov.cn/problems/validation_failed",
        "title": "数据校验未通过",
        "status": 422,
        "detail": "请求中有字段未通过校验",
        "instance": "/api/v1/enterprises",
        "code": "validation_failed",
        "errors": [
            {"loc": ["body", "uscc"], "msg": "校验码错误，应为 D", "type": "uscc_check_character"}
        ],
        "request_id": "5f0c2a7e9b1d4c3a",
    },
}
