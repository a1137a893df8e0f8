"""One way to run a list query: keyset pages, or delta sync when ``changed_since`` is given."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.core.errors import Unprocessable
from app.core.horizon import horizon
from app.core.pagination import ColumnLike, Paginator, parse_sort
from app.core.rows import fetch_mappings
from app.core.sync import SyncCursor, apply_changed_since, next_sync_cursor


@dataclass(frozen=True)
class ListSpec:
    resource: str
    sortable: Mapping[str, ColumnLike]
    default_sort: str
    id_column: ColumnLike
    xid_column: ColumnLike | None = None
    seq_column: ColumnLike | None = None


async def run_list(
    session: AsyncSession,
    settings: Settings,
    spec: ListSpec,
    stmt: Select[Any],
    *,
    filters: Mapping[str, Any],
    sort: str | None,
    cursor: str | None,
    limit: int | None,
    changed_since: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """``stmt`` must already carry scope and filters (and, for sync, tombstones included)."""
    size = min(limit or settings.page_limit_default, settings.page_limit_max)
    if changed_since is not None:
        if spec.xid_column is None or spec.seq_column is None:
            raise Unprocessable.field(
                ["query", "changed_since"],
                "This list has no delta sync",
                "sync_unsupported",
                "该列表不支持增量同步",
            )
        if cursor or sort:
            raise Unprocessable.field(
                ["query", "changed_since"],
                "changed_since cannot be combined with cursor or sort",
                "sync_exclusive",
                "changed_since 不能与 cursor 或 sort 同时使用",
            )
        sync = SyncCursor(settings.cursor_secret, spec.resource, settings.sync_retention_days)
        position = sync.position(changed_since)
        # The horizon is read before the rows, so a transaction committing in between is
        # neither returned now nor skipped later.
        below = await horizon(session)
        stmt = apply_changed_since(stmt, spec.xid_column, spec.seq_column, position, size, below)
        rows = await fetch_mappings(session, stmt)
        next_cursor = next_sync_cursor(sync, rows, size, below, position)
        return rows[:size], next_cursor
    keys = parse_sort(sort, spec.sortable, spec.default_sort, spec.id_column)
    fingerprint = json.dumps(filters, sort_keys=True, default=str)
    paginator = Paginator(settings.cursor_secret, spec.resource, keys, fingerprint)
    rows = await fetch_mappings(session, paginator.apply(stmt, cursor, size))
    return rows[:size], paginator.next_cursor(rows, size)
