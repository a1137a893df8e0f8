"""Delta sync (``changed_since``) for every list, built once on the ``Syncable`` stamps.

A sync cursor holds (transaction id, sequence) of the last change the client has seen, plus the
time it was issued. Rows are returned in (sync_xid, sync_seq) order and only when their writing
transaction is older than every transaction still in flight, so a slow commit is never skipped.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, literal_column, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.cursors import decode_cursor, encode_cursor
from app.core.errors import Gone

SYNC_FROM_START = "0"
_MAX_SEQ = 2**62
# A request's own uncommitted writes are visible to it (and to a test's enclosing transaction).
_OWN_XID: ColumnElement[int] = literal_column(
    "coalesce(pg_current_xact_id_if_assigned()::text::bigint, -1)"
)
_XMIN: ColumnElement[int] = literal_column("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")


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
) -> Select[Any]:
    return (
        stmt.where(tuple_(xid_col, seq_col) > tuple_(position[0], position[1]))
        .where(or_(xid_col < _XMIN, xid_col == _OWN_XID))
        .order_by(xid_col, seq_col)
        .limit(limit + 1)
    )


async def next_sync_cursor(
    session: AsyncSession,
    cursor: SyncCursor,
    rows: Sequence[Mapping[str, Any]],
    limit: int,
) -> str:
    if len(rows) > limit:
        last = rows[limit - 1]
        return cursor.encode(int(last["sync_xid"]), int(last["sync_seq"]))
    xmin = (await session.execute(select(_XMIN))).scalar_one()
    position = (int(xmin) - 1, _MAX_SEQ)
    if rows:
        position = max(position, (int(rows[-1]["sync_xid"]), int(rows[-1]["sync_seq"])))
    return cursor.encode(*position)
