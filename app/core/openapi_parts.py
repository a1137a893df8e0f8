"""The shared pieces of the OpenAPI document: problem responses, common headers, tags.

Declared once under ``components`` and referenced from every operation by ``app.core.openapi``.
"""

from __future__ import annotations

from typing import Any

from app.core.problems import PROBLEM_MEDIA_TYPE, TITLES

PROBLEM_REF = "#/components/schemas/Problem"

# status → name under components/responses (what generated clients and readers see)
PROBLEM_RESPONSE_NAMES: dict[int, str] = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "Conflict",
    410: "Gone",
    412: "PreconditionFailed",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    422: "ValidationFailed",
    428: "PreconditionRequired",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
}

PROBLEM_DESCRIPTIONS: dict[int, str] = {
    400: "Malformed request: `malformed_json` (not JSON, or not UTF-8), `invalid_cursor`, "
    "`invalid_if_match`, `invalid_idempotency_key`…",
    401: "No valid credential (Bearer token or X-API-Key); see `WWW-Authenticate`",
    403: "The caller may not do this (权限不足)",
    404: "Not found, or outside the caller's data scope (范围外的数据一律 404)",
    405: "The method is not allowed on this path; `Allow` lists those that are",
    409: "Conflicts with the current state (e.g. `hazard_not_open`, an Idempotency-Key "
    "still in flight)",
    410: "Gone: a sync or feed cursor older than the retention (resync from 0)",
    412: "`If-Match` does not match the resource's current version (`version_mismatch`)",
    413: "The request body is larger than allowed",
    415: "The request body's media type is not accepted (`unsupported_media_type`)",
    422: "Fields failed validation: `code` and `errors[]` (loc, msg, type) say which",
    428: "This action needs `If-Match`",
    429: "Too many requests; retry after `Retry-After` seconds",
    500: "Unexpected error; quote `request_id`",
    503: "Not ready (database unavailable or not migrated)",
}

HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {
        "description": "The request id (taken from the request or made), also in the logs and "
        "in every problem body",
        "schema": {"type": "string", "maxLength": 200},
    },
    "ETag": {
        "description": 'The resource\'s version as a strong ETag, e.g. `"3"`: send it back as '
        "`If-Match` on PATCH, DELETE and actions",
        "schema": {"type": "string", "pattern": '^"[0-9]+"$', "examples": ['"3"']},
    },
    "Location": {
        "description": "URL of the created resource",
        "schema": {"type": "string", "format": "uri-reference"},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this response is the stored response of an earlier "
        "request with the same `Idempotency-Key`",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Retry-After": {
        "description": "Seconds to wait before retrying",
        "schema": {"type": "integer", "minimum": 0},
    },
    "Content-Language": {
        "description": "Language of `title` and `detail`: zh-CN (default) or en",
        "schema": {"type": "string", "enum": ["zh-CN", "en"]},
    },
    "WWW-Authenticate": {
        "description": "The authentication scheme expected (Bearer)",
        "schema": {"type": "string"},
    },
    "Allow": {
        "description": "The methods this path accepts",
        "schema": {"type": "string"},
    },
}

# parameter component name → definition
PARAMETERS: dict[str, dict[str, Any]] = {
    "IfMatch": {
        "name": "If-Match",
        "in": "header",
        "required": False,
        "description": 'The ETag last seen (`"3"`, `W/"3"`, `3`) or `*`; a stale one is 412 '
        "`version_mismatch`",
        "schema": {"type": "string", "pattern": '^(\\*|(W/)?"[0-9]{1,18}"|[0-9]{1,18})$'},
        "example": '"3"',
    },
    "IdempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "Any unique string (a UUID): the first response is stored for 24 h and "
        "replayed (`Idempotent-Replayed: true`) to the same caller; the same key with "
        "another body is 422, one still in flight 409",
        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        "example": "7d1c8a52-4a3e-4b8e-9c1f-0e5f3b2a9d11",
    },
    "AcceptLanguage": {
        "name": "Accept-Language",
        "in": "header",
        "required": False,
        "description": "Language of problem titles and details: zh-CN (default) or en",
        "schema": {"type": "string", "maxLength": 200},
        "example": "en",
    },
}
HEADER_PARAMETERS = {p["name"].lower(): name for name, p in PARAMETERS.items()}


def header_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{name}"}


def problem_responses() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for status, name in PROBLEM_RESPONSE_NAMES.items():
        headers = {"X-Request-ID": header_ref("X-Request-ID")}
        headers["Content-Language"] = header_ref("Content-Language")
        if status in (429, 503):
            headers["Retry-After"] = header_ref("Retry-After")
        if status == 401:
            headers["WWW-Authenticate"] = header_ref("WWW-Authenticate")
        if status == 405:
            headers["Allow"] = header_ref("Allow")
        out[name] = {
            "description": PROBLEM_DESCRIPTIONS.get(status, TITLES[status][0]),
            "headers": headers,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}},
        }
    return out


TAGS: dict[str, str] = {
    "hazards": "Hazards (事故隐患): the register, every lifecycle step as an action, the "
    "timeline, deadlines, nearby search and exports",
    "statistics": "Statistics (统计): hazard, inspection and responsibility figures grouped by "
    "region, sector, month…; CSV/XLSX on request",
    "inspection-visits": "Inspection visits (检查): check-in, checklist, findings, the signed "
    "on-site record",
    "campaigns": "Inspection campaigns (专项检查) and their progress",
    "checklist-templates": "Checklist templates per sector (检查表), versioned",
    "enforcement-documents": "Enforcement documents (执法文书) that drive hazard and "
    "enterprise states",
    "attachments": "Evidence files (photos, PDFs) of hazards and visits (附件)",
    "enterprises": "The registry of inspectable units (企业), with USCC validation",
    "responsibility": "Responsibility assignments (责任落实), the chain at any moment, gaps",
    "reference": "Reference data: regions (行政区划), sectors, enums with zh-CN and en labels",
    "departments": "Government units (部门) with their regions and supervised sectors",
    "people": "Officials, inspectors, enterprise staff and experts (人员)",
    "api-keys": "API keys for system clients (shown once, stored hashed)",
    "audit-events": "The append-only audit trail (审计日志)",
    "criteria": "Major-hazard criteria catalogue (重大事故隐患判定标准)",
    "events": "The CloudEvents feed of state changes (事件)",
    "webhook-subscriptions": "Signed Standard Webhooks subscriptions",
    "notifications": "The caller's notifications (通知)",
    "public-reports": "Public reports (举报): intake without an account, handling, rewards",
    "report-routing-rules": "Routing rules of public reports, as data",
    "assessments": "Assessment (考核) schemes and results",
    "enterprise-statistics-reports": "Enterprises' periodic statistics reports (企业统计报表)",
    "import-jobs": "Bulk imports from XLSX/CSV (导入)",
    "import-templates": "Import templates to fill in (导入模板)",
    "major-hazard-sources": "Major hazard sources (重大危险源)",
    "workday-overrides": "The China working-day calendar and its overrides (工作日调整)",
    "system": "Liveness and readiness probes",
}
