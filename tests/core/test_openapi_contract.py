"""The OpenAPI document as client generators read it, and the server behaving as it says.

(The generators themselves run in ``make clients``: scripts/clients.py.)
"""

from __future__ import annotations

import json
import re
from typing import Any

from httpx import AsyncClient

from tests.factories import TOWN, make_uscc

METHODS = ("get", "put", "post", "delete", "patch")


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, item[method])
        for path, item in doc["paths"].items()
        for method in METHODS
        if method in item
    ]


def _walk(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for key, value in node.items():
            if key not in ("examples", "example", "default", "enum"):
                found += _walk(value)
    elif isinstance(node, list):
        for value in node:
            found += _walk(value)
    return found


def test_names_generators_can_use(openapi_schema: dict[str, Any]) -> None:
    info = openapi_schema["info"]
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9 ]*", info["title"]), info["title"]
    assert "安监" in info["description"]
    assert info["contact"]["name"]
    assert openapi_schema["servers"]
    names = list(openapi_schema["components"]["schemas"])
    bad = [
        n for n in names if "__" in n or n.startswith("Body_") or n.endswith(("-Input", "-Output"))
    ]
    assert bad == []
    assert {"PublicReportStatus", "StatisticsReportStatus", "UploadAttachmentForm"} <= set(names)
    assert not [
        n
        for n in _walk(openapi_schema["components"]["schemas"])
        if "title" in n and isinstance(n["title"], str)
    ]


def test_errors_are_shared_problem_responses(openapi_schema: dict[str, Any]) -> None:
    shared = openapi_schema["components"]["responses"]
    for name, response in shared.items():
        assert response["content"] == {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        }, name
        assert "X-Request-ID" in response["headers"]
    for path, _method, op in _operations(openapi_schema):
        for status, response in op["responses"].items():
            if status[0] in "45":
                assert response["$ref"].startswith("#/components/responses/"), (path, status)
    assert "HTTPValidationError" not in openapi_schema["components"]["schemas"]
    assert "Retry-After" in shared["TooManyRequests"]["headers"]


def test_common_headers_declared_once_and_referenced(openapi_schema: dict[str, Any]) -> None:
    parameters = openapi_schema["components"]["parameters"]
    assert re.fullmatch(parameters["IfMatch"]["schema"]["pattern"], '"3"')
    assert re.fullmatch(parameters["IfMatch"]["schema"]["pattern"], 'W/"3"')
    assert not re.fullmatch(parameters["IfMatch"]["schema"]["pattern"], "three")
    if_match = 0
    for path, method, op in _operations(openapi_schema):
        refs = [p["$ref"] for p in op["parameters"] if "$ref" in p]
        inline = [p["name"].lower() for p in op["parameters"] if "$ref" not in p]
        assert "#/components/parameters/AcceptLanguage" in refs, (path, method)
        assert ("#/components/parameters/IdempotencyKey" in refs) == (method == "post")
        assert not {"if-match", "idempotency-key", "accept-language"} & set(inline)
        if_match += "#/components/parameters/IfMatch" in refs
        for status, response in op["responses"].items():
            if status.startswith("2"):
                assert "X-Request-ID" in response["headers"], (path, method, status)
            if status == "201":
                assert "Location" in response["headers"], (path, method)
    assert if_match >= 50
    enterprise = openapi_schema["paths"]["/api/v1/enterprises/{enterprise_id}"]
    assert enterprise["get"]["responses"]["200"]["headers"]["ETag"] == {
        "$ref": "#/components/headers/ETag"
    }
    create = openapi_schema["paths"]["/api/v1/enterprises"]["post"]["responses"]["201"]
    assert "Idempotent-Replayed" in create["headers"]


def test_files_are_binary(openapi_schema: dict[str, Any]) -> None:
    schemas = openapi_schema["components"]["schemas"]
    for form in ("UploadAttachmentForm", "CreateImportJobForm", "UploadPublicReportPhotoForm"):
        assert schemas[form]["properties"]["file"] == {
            **schemas[form]["properties"]["file"],
            "type": "string",
            "format": "binary",
        }
        assert "contentMediaType" not in schemas[form]["properties"]["file"]
    downloads = 0
    for _path, _method, op in _operations(openapi_schema):
        for response in op["responses"].values():
            for media_type, media in response.get("content", {}).items():
                if "json" not in media_type:
                    assert media["schema"] == {"type": "string", "format": "binary"}
                    downloads += 1
    assert downloads >= 10
    content = openapi_schema["paths"]["/api/v1/attachments/{attachment_id}/content"]
    assert "application/octet-stream" in content["get"]["responses"]["200"]["content"]


def test_money_is_a_decimal_string(openapi_schema: dict[str, Any]) -> None:
    for node in _walk(openapi_schema["components"]["schemas"]):
        types = {v.get("type") for v in node.get("anyOf", []) if isinstance(v, dict)}
        assert not {"number", "string"} <= types, node
    funds = openapi_schema["components"]["schemas"]["HazardCreate"]["properties"]["funds"]
    money = funds["anyOf"][0]
    assert (money["type"], money["format"]) == ("string", "decimal")
    assert re.fullmatch(money["pattern"], "12000.50")
    assert not re.fullmatch(money["pattern"], "-1")


def test_tags_operations_and_examples_documented(openapi_schema: dict[str, Any]) -> None:
    tags = {t["name"]: t["description"] for t in openapi_schema["tags"]}
    for path, method, op in _operations(openapi_schema):
        assert op["summary"], (path, method)
        assert op["description"], (path, method)
        assert op["tags"][0] in tags
    assert all(tags.values())
    schemas = openapi_schema["components"]["schemas"]
    for name in ("EnterpriseCreate", "EnterpriseRead", "HazardCreate", "Problem"):
        assert schemas[name]["examples"], name
    channel = next(s for s in schemas.values() if "12350" in s.get("enum", []))
    assert all(v.isidentifier() for v in channel["x-enum-varnames"])


async def test_request_bodies_are_strict_about_json_types(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    body = {
        "uscc": make_uscc(),
        "name": "严格类型测试",
        "region_code": TOWN,
        "sectors": ["hazchem"],
        "location": {"lat": True, "lon": False},
    }
    refused = await client.post("/api/v1/enterprises", json=body, headers=admin)
    assert refused.status_code == 422, refused.text
    assert {tuple(e["loc"]) for e in refused.json()["errors"]} == {
        ("body", "location", "lat"),
        ("body", "location", "lon"),
    }
    url = "/api/v1/workday-overrides/2026-10-09"
    yes = await client.put(url, json={"is_workday": "yes", "reason": "x"}, headers=admin)
    assert yes.status_code == 422
    assert yes.json()["errors"][0]["loc"] == ["body", "is_workday"]
    # strings JSON carries for dates, UUIDs and enums stay valid; integers are numbers
    body["location"] = {"lat": 30, "lon": 120.1}
    created = await client.post("/api/v1/enterprises", json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["location"] == {"lat": 30.0, "lon": 120.1}


async def test_method_not_allowed_names_the_allowed_methods(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    export = await client.patch("/api/v1/hazards/export", json={}, headers=admin)
    assert export.status_code == 405, export.text
    assert export.headers["Allow"] == "GET, HEAD"
    assert export.headers["content-type"] == "application/problem+json"
    one = await client.put("/api/v1/enterprises/0193d6a5-0000-7000-8000-000000000001")
    assert one.status_code == 405
    assert set(one.headers["Allow"].split(", ")) == {"DELETE", "GET", "HEAD", "PATCH"}
    listing = await client.delete("/api/v1/enterprises", headers=admin)
    assert set(listing.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST"}


async def test_a_body_that_is_not_utf8_is_malformed_json(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    answer = await client.post(
        "/api/v1/enterprises",
        content='{"name": "杭州"}'.encode("gb18030"),
        headers={**admin, "Content-Type": "application/json", "Accept-Language": "en"},
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "malformed_json"
    assert answer.headers["Content-Language"] == "en"
    assert "UTF-8" in answer.json()["detail"]


async def test_large_responses_are_gzipped(client: AsyncClient) -> None:
    answer = await client.get("/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert answer.headers["content-encoding"] == "gzip"
    assert json.loads(answer.text)["openapi"].startswith("3.1")
    small = await client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers
