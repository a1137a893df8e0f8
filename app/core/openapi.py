"""The OpenAPI document, written for client generators (openapi-python-client, openapi-generator,
@hey-api/openapi-ts) as well as for people.

FastAPI builds the document from the routes; ``refine`` then applies the house rules to every
operation and schema, so a new endpoint inherits them without doing anything:

- schema names are unique and meaningful: no module paths, no ``Body_…`` (a form body is
  ``<OperationId>Form``), no auto ``title`` keywords;
- every error response is a reference to ``components/responses`` (``application/problem+json``
  with the ``Problem`` schema); FastAPI's own 422 schema is replaced by it;
- the common headers are declared once (``components/parameters`` and ``components/headers``)
  and referenced: ``Accept-Language`` on every operation, ``Idempotency-Key`` on every POST,
  ``If-Match`` with its pattern, response ``X-Request-ID``, ``ETag`` (resources with a
  ``version``), ``Location`` (201), ``Idempotent-Replayed`` (POST);
- files are ``type: string, format: binary`` (multipart uploads and every non-JSON download);
- money (``Decimal``) is a decimal string in yuan, never ``anyOf [number, string]``;
- enums carry ``x-enum-varnames`` when a value is not a valid identifier (``12350``);
- tags are listed with descriptions; every operation has a summary and a description.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.core.openapi_examples import EXAMPLES
from app.core.openapi_parts import (
    HEADER_PARAMETERS,
    HEADERS,
    PARAMETERS,
    PROBLEM_RESPONSE_NAMES,
    TAGS,
    header_ref,
    problem_responses,
)
from app.core.problems import PROBLEM_MEDIA_TYPE, TITLES

SCHEMA_PREFIX = "#/components/schemas/"
JSON_TYPES = ("application/json", PROBLEM_MEDIA_TYPE)
# Numeric(14, 2) columns: twelve integer digits, two decimals.
MONEY_DIGITS = r"[0-9]{1,12}(\.[0-9]{1,2})?"
# Keywords whose values are data, not schemas: never rewritten.
DATA_KEYWORDS = frozenset({"examples", "example", "default", "const", "enum"})
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Module-qualified names pydantic makes when two classes share a name.
NAME_OVERRIDES = {
    "app__public_reports__enums__ReportStatus": "PublicReportStatus",
    "app__statistics__reports__schemas__ReportStatus": "StatisticsReportStatus",
}
ENUM_WORD = re.compile(r"[^0-9A-Za-z]+")


def install_openapi(app: FastAPI, *, servers: list[dict[str, str]]) -> None:
    """Replace ``app.openapi`` by the refined document (built once, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
                contact=app.contact,
                license_info=app.license_info,
                servers=servers,
                separate_input_output_schemas=app.separate_input_output_schemas,
            )
            app.openapi_schema = refine(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def refine(doc: dict[str, Any]) -> dict[str, Any]:
    components = doc.setdefault("components", {})
    schemas: dict[str, Any] = components.setdefault("schemas", {})
    renames = {name: _clean_name(name) for name in schemas}
    renames = {old: new for old, new in renames.items() if old != new}
    if renames:
        _rewrite_refs(doc, {SCHEMA_PREFIX + o: SCHEMA_PREFIX + n for o, n in renames.items()})
        components["schemas"] = schemas = {renames.get(k, k): v for k, v in schemas.items()}
    for schema in schemas.values():
        _walk_schema(schema, _schema_rules)
    for name, example in EXAMPLES.items():
        if name in schemas:
            schemas[name]["examples"] = [example]
    components["responses"] = problem_responses()
    components["parameters"] = dict(PARAMETERS)
    components["headers"] = dict(HEADERS)
    used_tags: set[str] = set()
    for item in doc.get("paths", {}).values():
        for method in METHODS:
            if method in item:
                _operation(method, item[method], schemas)
                used_tags.update(item[method].get("tags", []))
    for gone in ("HTTPValidationError", "ValidationError"):
        schemas.pop(gone, None)
    doc["tags"] = [
        {"name": t, "description": TAGS.get(t, f"Endpoints of {t}")} for t in sorted(used_tags)
    ]
    _prune_components(doc)
    return doc


def _clean_name(name: str) -> str:
    if name in NAME_OVERRIDES:
        return NAME_OVERRIDES[name]
    if name.startswith("Body_"):
        return _camel(name.removeprefix("Body_")) + "Form"
    if "__" in name:  # app__<domain>__<module>__<Class>: the domain then the class
        parts = name.split("__")
        return _camel(parts[1]) + parts[-1]
    return name.removesuffix("-Input").removesuffix("-Output")


def _camel(snake: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in snake.split("_"))


def _rewrite_refs(node: Any, refs: dict[str, str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref in refs:
            node["$ref"] = refs[ref]
        for value in node.values():
            _rewrite_refs(value, refs)
    elif isinstance(node, list):
        for value in node:
            _rewrite_refs(value, refs)


def _walk_schema(schema: Any, rule: Callable[[dict[str, Any]], None]) -> None:
    """Apply ``rule`` to every schema object nested in ``schema`` (data keywords skipped)."""
    if not isinstance(schema, dict):
        return
    rule(schema)
    for key, value in schema.items():
        if key in DATA_KEYWORDS:
            continue
        if key in ("properties", "patternProperties", "$defs", "definitions"):
            for sub in value.values():
                _walk_schema(sub, rule)
        elif isinstance(value, dict):
            _walk_schema(value, rule)
        elif isinstance(value, list) and key in ("anyOf", "oneOf", "allOf", "prefixItems"):
            for sub in value:
                _walk_schema(sub, rule)


def _schema_rules(schema: dict[str, Any]) -> None:
    if isinstance(schema.get("title"), str):
        del schema["title"]
    if schema.get("type") == "string" and "contentMediaType" in schema:
        del schema["contentMediaType"]
        schema["format"] = "binary"
    variants = schema.get("anyOf")
    if isinstance(variants, list):
        _money(schema, variants)
    values = schema.get("enum")
    if isinstance(values, list) and any(
        isinstance(v, str) and not v.isidentifier() for v in values
    ):
        schema["x-enum-varnames"] = [_enum_varname(str(v)) for v in values]


def _enum_varname(value: str) -> str:
    word = ENUM_WORD.sub("_", value).strip("_").upper() or "EMPTY"
    return f"N{word}" if word[0].isdigit() else word


def _money(schema: dict[str, Any], variants: list[Any]) -> None:
    """``Decimal`` validates from a number or a string: the contract is the string."""
    number = next((v for v in variants if isinstance(v, dict) and v.get("type") == "number"), None)
    string = next((v for v in variants if isinstance(v, dict) and v.get("type") == "string"), None)
    if number is None or string is None or set(string) - {"type", "pattern"}:
        return
    if "exclusiveMinimum" in number and number["exclusiveMinimum"] >= 0:
        pattern, note = f"^(?!0+(\\.0+)?$){MONEY_DIGITS}$", "greater than 0"
    elif "minimum" in number and number["minimum"] >= 0:
        pattern, note = f"^{MONEY_DIGITS}$", "0 or more"
    else:
        pattern, note = f"^-?{MONEY_DIGITS}$", None
    money = {"type": "string", "format": "decimal", "pattern": pattern}
    rest = [v for v in variants if v is not number and v is not string]
    if rest:
        schema["anyOf"] = [money, *rest]
    else:
        del schema["anyOf"]
        schema.update(money)
    description = schema.get("description") or "Amount in yuan"
    if "yuan" not in description:
        description += " (yuan)"
    schema["description"] = f"{description}; a decimal string" + (f", {note}" if note else "")


def _operation(method: str, op: dict[str, Any], schemas: dict[str, Any]) -> None:
    op.setdefault("summary", _camel(op.get("operationId", method)).strip())
    if not op.get("description"):
        op["description"] = op["summary"].rstrip(".") + "."
    params: list[dict[str, Any]] = []
    for param in op.get("parameters", []):
        name = HEADER_PARAMETERS.get(str(param.get("name", "")).lower())
        if param.get("in") == "header" and name:
            continue  # replaced by the shared definition below
        _walk_schema(param.get("schema"), _schema_rules)
        params.append(param)
    had_if_match = any(
        p.get("in") == "header" and p.get("name", "").lower() == "if-match"
        for p in op.get("parameters", [])
    )
    refs = ["AcceptLanguage"]
    if method == "post":
        refs.append("IdempotencyKey")
    if had_if_match:
        refs.append("IfMatch")
    params.extend({"$ref": f"#/components/parameters/{r}"} for r in refs)
    op["parameters"] = params
    body = op.get("requestBody", {}).get("content", {})
    for media in body.values():
        _walk_schema(media.get("schema"), _schema_rules)
    responses: dict[str, Any] = op.get("responses", {})
    for status, response in list(responses.items()):
        code = int(status) if status.isdigit() else 0
        if code >= 400:
            responses[status] = _problem_ref(code, response)
        elif "$ref" not in response:
            _success(method, code, response, schemas)


def _problem_ref(status: int, response: dict[str, Any]) -> dict[str, Any]:
    name = PROBLEM_RESPONSE_NAMES.get(status)
    if name is None:
        raise ValueError(f"no shared problem response for {status}")
    ref: dict[str, Any] = {"$ref": f"#/components/responses/{name}"}
    description = response.get("description", "")
    generic = {"Validation Error", "Bad request", "Authentication required", "Forbidden"}
    if description and description not in generic and description != TITLES[status][0]:
        ref["description"] = description
    return ref


def _success(method: str, status: int, response: dict[str, Any], schemas: dict[str, Any]) -> None:
    headers = response.setdefault("headers", {})
    headers["X-Request-ID"] = header_ref("X-Request-ID")
    content: dict[str, Any] = response.get("content", {})
    versioned = False
    for media_type, media in content.items():
        if media_type in JSON_TYPES or media_type.endswith("+json"):
            schema = media.get("schema", {})
            versioned = versioned or "version" in _properties(schema, schemas)
        else:
            media["schema"] = {"type": "string", "format": "binary"}
    if versioned:
        headers["ETag"] = header_ref("ETag")
    if status == 201:
        headers["Location"] = header_ref("Location")
    if method == "post":
        headers["Idempotent-Replayed"] = header_ref("Idempotent-Replayed")


def _properties(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str):
        schema = schemas.get(ref.removeprefix(SCHEMA_PREFIX), {})
    props = schema.get("properties")
    return props if isinstance(props, dict) else {}


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref
        for key, value in node.items():
            if key not in DATA_KEYWORDS:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _prune_components(doc: dict[str, Any]) -> None:
    """Drop shared responses, parameters and headers nothing refers to (Spectral warns)."""
    components = doc["components"]
    for _ in range(3):  # responses refer to headers: settle in a couple of rounds
        used = set(_refs({k: v for k, v in doc.items() if k != "components"}))
        used |= set(_refs({k: v for k, v in components.items() if k != "schemas"}))
        used |= set(_refs(components.get("schemas", {})))
        for section in ("responses", "parameters", "headers"):
            entries = components.get(section, {})
            for name in list(entries):
                if f"#/components/{section}/{name}" not in used:
                    del entries[name]
