"""Delta sync (``changed_since``) for every list, built once on the ``Syncable`` stamps.

A sync cursor holds (transaction id, sequence) of the last change the client has seen, plus the
time it was issued. Rows are returned in (sync_xid, sync_seq) order and only when their writing
transaction is older than every transaction still in flight, so a slow commit is never skipped.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, tuple_

from app.core.cursors import decode_cursor, encode_cursor
from app.core.errors import Gone
from app.core.horizon import Horizon

SYNC_FROM_START = "0"
MAX_SEQ = 2**62


class SyncCursor:
    def __init__(self, secret: str, resource: str, retention_days: int) -> None:
        self.secret = secret
        self.kind = "sync:" + resource
        self.retention_seconds = retention_days * 86400

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
        return int(data["x"]), int(data["s"])

    def encode(self, xid: int, seq: int) -> str:
        return encode_cursor(self.secret, self.kind, {"x": xid, "s": seq, "t": int(time.time())})


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
