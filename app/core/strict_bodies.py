"""JSON request bodies validated strictly, the way the document types them.

FastAPI validates a decoded JSON body in Pydantic's lax Python mode: ``true`` becomes ``1`` for a
number and ``"yes"`` becomes ``True`` for a boolean, and such values would be stored. A JSON body
is validated instead in Pydantic's strict JSON mode, where a boolean is only ``true``/``false``
and a number only a JSON number, while the strings JSON carries for dates, times, UUIDs,
decimals and enums stay valid. Forms (uploads) keep the lax mode: every form value is a string.

FastAPI builds the routes of included routers lazily, each with its own copies of the body
fields, so the rule is set once on the field class: ``install_strict_bodies()`` (idempotent)
covers every route, whoever adds it.
"""

from __future__ import annotations

from typing import Any

from fastapi import params
from fastapi._compat import v2
from pydantic import ValidationError
from pydantic_core import to_json

_lax_validate = v2.ModelField.validate


def _validate(
    self: v2.ModelField,
    value: Any,
    values: dict[str, Any] | None = None,
    *,
    loc: tuple[int | str, ...] = (),
) -> tuple[Any, list[dict[str, Any]]]:
    if loc[:1] != ("body",) or isinstance(self.field_info, params.Form):  # File is a Form
        return _lax_validate(self, value, values or {}, loc=loc)
    try:
        return self._type_adapter.validate_json(to_json(value), strict=True), []
    except ValidationError as exc:
        return None, v2._regenerate_error_with_loc(
            errors=exc.errors(include_url=False), loc_prefix=loc
        )


def install_strict_bodies() -> None:
    v2.ModelField.validate = _validate  # type: ignore[method-assign]
