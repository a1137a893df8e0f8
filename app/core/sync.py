"""Delta sync (``changed_since``) for every list, built once on the ``Syncable`` stamps.

A sync cursor holds (transaction id, sequence) of the last change the client has seen, plus the
time it was issued. Rows are returned in (sync_xid, sync_seq) order and only when their writing
transaction is older than every transaction still in flight, so a slow commit is never skipped.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, or_, tuple_

from app.core.cursors import decode_cursor, encode_cursor
from app.core.errors import Gone

SYNC_FROM_START = "0"
_MAX_SEQ = 2**62


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


def apply_changed_since(
    stmt: Select[Any],
    xid_col: Any,
    seq_col: Any,
    position: tuple[int, int],
    limit: int,
    horizon: tuple[int, int],
) -> Select[Any]:
    """Rows changed after ``position`` by transactions below the horizon (read beforehand), plus
    the caller's own uncommitted writes (visible to it, and to a test's enclosing transaction)."""
    below, own_xid = horizon
    return (
        stmt.where(tuple_(xid_col, seq_col) > tuple_(position[0], position[1]))
        .where(or_(xid_col < below, xid_col == own_xid))
        .order_by(xid_col, seq_col)
        .limit(limit + 1)
    )


def next_sync_cursor(
    cursor: SyncCursor,
    rows: Sequence[Mapping[str, Any]],
    limit: int,
    horizon: tuple[int, int],
) -> str:
    if len(rows) > limit:
        last = rows[limit - 1]
        return cursor.encode(int(last["sync_xid"]), int(last["sync_seq"]))
    # Everything below the horizon has been seen: the next read starts there.
    position = (horizon[0] - 1, _MAX_SEQ)
    if rows:
        position = max(position, (int(rows[-1]["sync_xid"]), int(rows[-1]["sync_seq"])))
    return cursor.encode(*position)
