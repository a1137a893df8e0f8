"""One way to run a list query: keyset pages, or delta sync when ``changed_since`` is given."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.core.errors import Unprocessable
from app.core.horizon import horizon
from app.core.pagination import ColumnLike, Paginator, parse_sort
from app.core.rows import fetch_mappings
from app.core.sync import (
    ScopeHolder,
    SyncCursor,
    apply_changed_since,
    filter_fingerprint,
    next_position,
    scope_fingerprint,
)
from app.models.core import SyncRemoval


@dataclass(frozen=True)
class ListSpec:
    resource: str
    sortable: Mapping[str, ColumnLike]
    default_sort: str
    id_column: ColumnLike
    xid_column: ColumnLike | None = None
    seq_column: ColumnLike | None = None
    id_name: str = "id"  # the key of a row in the result (and of a removal)
    # whether a soft-deleted row is sent as an item with ``deleted_at`` (its read model shows
    # it) or as a removal with reason ``deleted``
    deleted_in_items: bool = True


@dataclass(frozen=True)
class SyncView:
    """What delta sync needs to follow a caller's view, not just the rows in it now.

    ``scoped``: the list query with the caller's scope only (tombstones included, no filters);
    a changed row in it that fails the filters is sent as a removal (``filtered_out``).
    ``was_visible``: the caller's scope over a ``sync_removal`` row (the scope a row had before
    it moved, or was deleted for good); such a row, no longer in ``scoped``, is sent as a
    removal (``out_of_scope`` or ``deleted``).
    """

    principal: ScopeHolder
    scoped: Select[Any] | None = None
    was_visible: Callable[[type[SyncRemoval]], ColumnElement[bool]] | None = None


@dataclass
class Listed:
    rows: list[dict[str, Any]]
    next_cursor: str | None
    removed: list[dict[str, Any]] = field(default_factory=list)


def _check_sync_args(spec: ListSpec, cursor: str | None, sort: str | None) -> None:
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


def _stamp(row: Mapping[str, Any]) -> tuple[int, int]:
    return int(row["sync_xid"]), int(row["sync_seq"])


async def _sync(
    session: AsyncSession,
    settings: Settings,
    spec: ListSpec,
    stmt: Select[Any],
    filters: Mapping[str, Any],
    changed_since: str,
    size: int,
    view: SyncView | None,
) -> Listed:
    sync = SyncCursor(
        settings.cursor_secret,
        spec.resource,
        settings.sync_retention_days,
        filters=filter_fingerprint(filters),
        scope=scope_fingerprint(view.principal) if view else "",
    )
    position = sync.position(changed_since)
    # The horizon is read before the rows, so a transaction committing in between is
    # neither returned now nor skipped later.
    below = await horizon(session)
    query = stmt
    if view is not None and view.scoped is not None:
        # every changed row in scope, each marked with whether it still passes the filters
        passes = stmt.whereclause if stmt.whereclause is not None else true()
        query = view.scoped.add_columns(passes.label("_in_view"))
    query = apply_changed_since(query, spec.xid_column, spec.seq_column, position, size, below)
    changes = [("row", r) for r in await fetch_mappings(session, query)]
    if view is not None and view.was_visible is not None:
        R = SyncRemoval  # noqa: N806
        columns: tuple[Any, ...] = (
            R.row_key,
            R.reason,
            R.xid.label("sync_xid"),
            R.seq.label("sync_seq"),
        )
        gone: Select[Any] = (
            select(*columns).where(R.resource == spec.resource).where(view.was_visible(R))
        )
        if view.scoped is not None:  # still (or again) in scope: the row itself tells
            gone = gone.where(
                ~view.scoped.where(spec.id_column == R.row_key.cast(spec.id_column.type)).exists()
            )
        gone = apply_changed_since(gone, R.xid, R.seq, position, size, below)
        changes += [("removal", r) for r in await fetch_mappings(session, gone)]
        changes.sort(key=lambda change: _stamp(change[1]))
        changes = changes[: size + 1]
    stamps = [_stamp(r) for _, r in changes]
    next_cursor = sync.encode(*next_position(position, stamps, size, below))
    out = Listed([], next_cursor)
    for kind, row in changes[:size]:
        if kind == "removal":
            out.removed.append({"id": row["row_key"], "reason": row["reason"]})
            continue
        in_view, deleted = row.pop("_in_view", True), row.get("deleted_at") is not None
        if deleted and not spec.deleted_in_items:
            out.removed.append({"id": str(row[spec.id_name]), "reason": "deleted"})
        elif in_view or deleted:
            out.rows.append(row)
        else:
            out.removed.append({"id": str(row[spec.id_name]), "reason": "filtered_out"})
    # a row that left several scopes of the caller in one page: one removal, the last
    last = {r["id"]: r for r in out.removed}
    out.removed = [r for r in out.removed if last[r["id"]] is r]
    return out


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
    view: SyncView | None = None,
) -> Listed:
    """``stmt`` must already carry scope and filters (and, for sync, tombstones included).
    With ``changed_since``, ``view`` (when given) adds removals and binds the cursor to the
    caller's scope; the filters are always bound to it."""
    size = min(limit or settings.page_limit_default, settings.page_limit_max)
    if changed_since is not None:
        _check_sync_args(spec, cursor, sort)
        return await _sync(session, settings, spec, stmt, filters, changed_since, size, view)
    keys = parse_sort(sort, spec.sortable, spec.default_sort, spec.id_column)
    fingerprint = json.dumps(filters, sort_keys=True, default=str)
    paginator = Paginator(settings.cursor_secret, spec.resource, keys, fingerprint)
    rows = await fetch_mappings(session, paginator.apply(stmt, cursor, size))
    return Listed(rows[:size], paginator.next_cursor(rows, size))
