"""Keyset pagination with whitelisted sorting and ``id`` as the tiebreaker."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, and_, literal, or_, tuple_
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.sqltypes import Date, DateTime, Integer, Numeric, Uuid

from app.core.cursors import decode_cursor, encode_cursor
from app.core.errors import Unprocessable

T = TypeVar("T")

# A mapped attribute (Model.column) or any SQL expression.
ColumnLike = ColumnElement[Any] | QueryableAttribute[Any]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` (or `changed_since` in sync mode) to get the next page; "
        "null when there is no more"
    )


def sort_field(*names: str, default: str | None = None) -> Any:
    """The ``sort`` query field of a list: its whitelist in the description and, for clients
    and generators, as a pattern (the server answers 422 ``sort_not_allowed`` itself)."""
    key = "|".join(names)
    description = f"Comma list of {', '.join(names)}; prefix - for descending"
    if default:
        description += f" (default {default})"
    return Field(
        default=None,
        description=description,
        json_schema_extra={"pattern": f"^-?({key})(,-?({key}))*$"},
    )


class SyncRemovalRead(BaseModel):
    """A row to drop from a synced copy (delta sync only)."""

    id: str = Field(description="The removed row's id (a date for workday overrides)")
    reason: Literal["out_of_scope", "filtered_out", "deleted"] = Field(
        description="out_of_scope: it left your scope (region, sectors, unit; 移出管辖范围); "
        "filtered_out: it no longer matches the filters bound to the cursor (不再符合筛选条件); "
        "deleted: deleted for good (已删除)"
    )


class SyncPage(Page[T], Generic[T]):
    removed: list[SyncRemovalRead] = Field(
        default_factory=list,
        description="Delta sync (`changed_since`) only: rows to drop from the client's copy, "
        "in change order with the items; always empty in a plain list. See docs/sync.md",
    )


@dataclass(frozen=True)
class SortKey:
    name: str
    expr: ColumnLike
    descending: bool


def parse_sort(
    sort: str | None,
    allowed: Mapping[str, ColumnLike],
    default: str,
    id_column: ColumnLike,
) -> list[SortKey]:
    """``sort=-deadline,created_at`` against a whitelist; ``id`` is always the last key."""
    keys: list[SortKey] = []
    for raw in (sort or default).split(","):
        token = raw.strip()
        if not token:
            continue
        descending = token.startswith("-")
        name = token.lstrip("-+")
        if name not in allowed:
            raise Unprocessable.field(
                ["query", "sort"],
                f"Cannot sort by '{name}'; allowed: {', '.join(sorted(allowed))}",
                "sort_not_allowed",
                f"不支持按“{name}”排序",
                code="sort_not_allowed",
            )
        if any(k.name == name for k in keys):
            continue
        keys.append(SortKey(name, allowed[name], descending))
    if not any(k.name == "id" for k in keys):
        last_desc = keys[-1].descending if keys else False
        keys.append(SortKey("id", id_column, last_desc))
    return keys


def _coerce(expr: ColumnLike, value: Any) -> Any:
    if value is None:
        return None
    column_type = expr.type
    if isinstance(column_type, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return date.fromisoformat(value)
    if isinstance(column_type, Uuid):
        return uuid.UUID(value)
    if isinstance(column_type, Numeric) and not isinstance(column_type, Integer):
        return Decimal(value)
    if isinstance(column_type, Integer):
        return int(value)
    return value


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date | uuid.UUID | Decimal):
        return value.isoformat() if isinstance(value, datetime | date) else str(value)
    return value


def _sort_value(row: Mapping[str, Any], name: str) -> Any:
    """A repository may select ``expr.label("_sort_<name>")`` for computed sort keys."""
    return row["_sort_" + name] if "_sort_" + name in row else row[name]


class Paginator:
    """Applies order, keyset position and limit to a select, and makes the next cursor."""

    def __init__(
        self, secret: str, resource: str, keys: Sequence[SortKey], query_fingerprint: str = ""
    ) -> None:
        self.secret = secret
        self.keys = list(keys)
        signature = (
            resource
            + "|"
            + ",".join(("-" if k.descending else "") + k.name for k in self.keys)
            + "|"
            + query_fingerprint
        )
        self.kind = "page:" + hashlib.sha256(signature.encode()).hexdigest()[:16]

    def apply(self, stmt: Select[Any], cursor: str | None, limit: int) -> Select[Any]:
        stmt = stmt.order_by(*[k.expr.desc() if k.descending else k.expr.asc() for k in self.keys])
        if cursor:
            data = decode_cursor(self.secret, self.kind, cursor)
            values = data.get("v")
            if not isinstance(values, list) or len(values) != len(self.keys):
                decode_cursor(self.secret, "", "")  # raises invalid_cursor
                raise AssertionError  # pragma: no cover
            try:
                typed = [_coerce(k.expr, v) for k, v in zip(self.keys, values, strict=True)]
            except (ValueError, TypeError):
                decode_cursor(self.secret, "", "")
                raise
            stmt = stmt.where(self._after(typed))
        return stmt.limit(limit + 1)

    def _after(self, values: list[Any]) -> ColumnElement[bool]:
        directions = {k.descending for k in self.keys}
        if len(directions) == 1:
            # One direction: a row comparison, which an index on the keys can seek to directly.
            row = tuple_(*[k.expr for k in self.keys])
            position = tuple_(
                *[literal(v, type_=k.expr.type) for k, v in zip(self.keys, values, strict=True)]
            )
            return row < position if directions.pop() else row > position
        clauses = []
        for i, key in enumerate(self.keys):
            equal = [self.keys[j].expr == values[j] for j in range(i)]
            beyond = key.expr < values[i] if key.descending else key.expr > values[i]
            clauses.append(and_(*equal, beyond))
        return or_(*clauses)

    def next_cursor(self, rows: Sequence[Mapping[str, Any]], limit: int) -> str | None:
        if len(rows) <= limit:
            return None
        last = rows[limit - 1]
        values = [_json_value(_sort_value(last, k.name)) for k in self.keys]
        return encode_cursor(self.secret, self.kind, {"v": values})
