"""Delta sync (``changed_since``) for every list, built once on the ``Syncable`` stamps.

A sync cursor holds (transaction id, sequence) of the last change the client has seen, the time
it was issued, and what it is bound to: the list's filters and the caller's scope. Rows are
returned in (sync_xid, sync_seq) order and only when their writing transaction is older than
every transaction still in flight, so a slow commit is never skipped; the next cursor is never
before the one given. The contract for clients: ``docs/sync.md``.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Select, or_, tuple_

from app.core.cursors import decode_cursor, encode_cursor
from app.core.errors import BadRequest, Gone
from app.core.horizon import Horizon

SYNC_FROM_START = "0"
MAX_SEQ = 2**62


class ScopeHolder(Protocol):
    """What decides the rows a caller may see (the principal, seen from here)."""

    @property
    def role(self) -> Any: ...
    @property
    def region_code(self) -> str | None: ...
    @property
    def sectors(self) -> frozenset[str] | None: ...
    @property
    def enterprise_id(self) -> Any: ...
    @property
    def department_id(self) -> Any: ...
    @property
    def person_id(self) -> Any: ...
    @property
    def api_key_id(self) -> Any: ...


def _digest(value: Any) -> str:
    raw = json.dumps(value, sort_keys=True, default=str, separators=(",", ":")).encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def scope_fingerprint(principal: ScopeHolder) -> str:
    """Changes whenever the caller's scope does (role, region, sectors of the department, unit):
    a cursor issued under another scope is refused with 410 and the client resyncs."""
    return _digest(
        [
            str(principal.role),
            principal.region_code,
            sorted(principal.sectors) if principal.sectors is not None else None,
            principal.enterprise_id,
            principal.department_id,
            principal.person_id,
            principal.api_key_id,
        ]
    )


def filter_fingerprint(filters: Mapping[str, Any]) -> str:
    """The list filters a cursor is bound to (keys starting with ``_`` are not filters)."""
    return _digest({k: v for k, v in filters.items() if not k.startswith("_")})


class SyncCursor:
    """A signed sync position, bound to the filters and the caller's scope it was issued for."""

    def __init__(
        self,
        secret: str,
        resource: str,
        retention_days: int,
        *,
        filters: str = "",
        scope: str = "",
    ) -> None:
        self.secret = secret
        self.kind = "sync:" + resource
        self.retention_seconds = retention_days * 86400
        self.filters = filters
        self.scope = scope

    def position(self, cursor: str) -> tuple[int, int]:
        if cursor == SYNC_FROM_START:
            return (0, 0)
        data = decode_cursor(self.secret, self.kind, cursor)
        issued = data.get("t")
        if not isinstance(issued, int) or time.time() - issued > self.retention_seconds:
            raise Gone(
                "The sync cursor is older than the retention period; resynchronise from a full "
                "list (changed_since=0)",
                "同步游标已超过保留期限，请重新全量同步（changed_since=0）",
                code="sync_cursor_expired",
            )
        if data.get("p", "") != self.scope:
            raise Gone(
                "Your scope (role, region, sectors or unit) changed since this sync cursor was "
                "issued; resynchronise from a full list (changed_since=0)",
                "您的管辖范围（角色、地区、行业或单位）已变更，请重新全量同步（changed_since=0）",
                code="sync_scope_changed",
            )
        if data.get("f", "") != self.filters:
            raise BadRequest(
                "The sync cursor was issued for other filters; keep the filters of a sync or "
                "start again from changed_since=0",
                "同步游标对应的筛选条件不同；请保持筛选条件不变，或从 changed_since=0 重新同步",
                code="sync_filters_changed",
            )
        return int(data["x"]), int(data["s"])

    def encode(self, xid: int, seq: int) -> str:
        data = {"x": xid, "s": seq, "t": int(time.time()), "f": self.filters, "p": self.scope}
        return encode_cursor(self.secret, self.kind, data)


def below_horizon(xid_col: Any, horizon: Horizon) -> ColumnElement[bool]:
    """Rows whose writing transaction has finished, plus the caller's own uncommitted writes
    when nothing older is still running (visible to it, and to a test's enclosing transaction)."""
    if horizon.own_rows_safe:
        return or_(xid_col < horizon.below, xid_col == horizon.own)
    return xid_col < horizon.below  # type: ignore[no-any-return]


def apply_changed_since(
    stmt: Select[Any],
    xid_col: Any,
    seq_col: Any,
    position: tuple[int, int],
    limit: int,
    horizon: Horizon,
) -> Select[Any]:
    """Rows changed after ``position`` by transactions below the horizon (read beforehand)."""
    return (
        stmt.where(tuple_(xid_col, seq_col) > tuple_(position[0], position[1]))
        .where(below_horizon(xid_col, horizon))
        .order_by(xid_col, seq_col)
        .limit(limit + 1)
    )


def next_position(
    position: tuple[int, int],
    stamps: Sequence[tuple[int, int]],
    limit: int,
    horizon: Horizon,
) -> tuple[int, int]:
    """Where the next read starts; never below ``position`` (a cursor never runs backwards).

    ``stamps`` are the (xid, seq) of the rows read (at most ``limit + 1``, in order). A full page
    ends at its last row; otherwise everything below the horizon has been seen."""
    if len(stamps) > limit:
        return max(position, stamps[limit - 1])
    out = max(position, (horizon.below - 1, MAX_SEQ))
    if stamps:
        out = max(out, stamps[-1])
    return out


def next_sync_cursor(
    cursor: SyncCursor,
    rows: Sequence[Mapping[str, Any]],
    limit: int,
    horizon: Horizon,
    position: tuple[int, int],
) -> str:
    stamps = [(int(r["sync_xid"]), int(r["sync_seq"])) for r in rows]
    return cursor.encode(*next_position(position, stamps, limit, horizon))
