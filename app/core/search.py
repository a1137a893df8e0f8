"""Substring search (Chinese included) on core PostgreSQL.

Searchable text is indexed as an array of its characters and character pairs
(``anjian_ngrams``, GIN over text[]); a query's pairs narrow the rows through the index and
``ILIKE`` confirms the exact substring.

The planner multiplies the selectivities of the pairs as if they were independent; the pairs of
one word are not (配电 and 电箱 come together), so a frequent term looks rare, and the planner
collects and sorts every match instead of walking an ordered index until the page is full.
When the column's statistics say a term's rarest pair is common (``GramFrequencies``), only that
pair goes to the index condition: its estimate is an honest upper bound, and ``ILIKE`` still
decides.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Text, and_, bindparam, cast, or_, text
from sqlalchemy.dialects.postgresql import ARRAY, array
from sqlalchemy.ext.asyncio import AsyncSession

# A pair in more than this share of rows makes a term "frequent".
FREQUENT_SHARE = 0.01
_STATS = text(
    "SELECT most_common_elems::text::text[] AS elems, most_common_elem_freqs AS freqs "
    "FROM pg_stats WHERE schemaname = current_schema() AND tablename = :table "
    "AND attname = :column"
)


def query_grams(term: str) -> list[str]:
    value = term.lower()
    if len(value) == 1:
        return [value]
    return sorted({value[i : i + 2] for i in range(len(value) - 1)})


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def index_grams(term: str, frequencies: Mapping[str, float] | None = None) -> list[str]:
    """The pairs to look up in the index: all of them, or for a frequent term its rarest one."""
    grams = query_grams(term)
    if not frequencies or len(grams) == 1:
        return grams
    rarest = min(grams, key=lambda gram: frequencies.get(gram, 0.0))
    return [rarest] if frequencies.get(rarest, 0.0) > FREQUENT_SHARE else grams


def substring_match(
    grams_column: Any,
    text_columns: list[Any],
    term: str,
    frequencies: Mapping[str, float] | None = None,
) -> ColumnElement[bool]:
    term = term.strip()
    grams = index_grams(term, frequencies)
    # One pair gets its own SQL text, so the server caches a separate plan for frequent terms.
    condition = (
        grams_column.contains(bindparam(None, grams, type_=ARRAY(Text)))
        if grams == query_grams(term)
        else grams_column.contains(cast(array([bindparam(None, grams[0])]), ARRAY(Text)))
    )
    pattern = _like_pattern(term)
    return and_(condition, or_(*[col.ilike(pattern, escape="\\") for col in text_columns]))


class GramFrequencies:
    """Per-process cache of the n-gram column's most common elements and their frequencies
    (``pg_stats``, refreshed by ANALYZE / autovacuum), re-read every ``ttl_seconds``."""

    def __init__(self, table: str, column: str, ttl_seconds: float = 600.0) -> None:
        self.table, self.column, self.ttl_seconds = table, column, ttl_seconds
        self._frequencies: dict[str, float] = {}
        self._loaded_at = float("-inf")

    async def get(self, session: AsyncSession) -> Mapping[str, float]:
        if time.monotonic() - self._loaded_at > self.ttl_seconds:
            row = (
                await session.execute(_STATS, {"table": self.table, "column": self.column})
            ).first()
            elems, freqs = (row.elems, row.freqs) if row is not None else (None, None)
            self._frequencies = dict(zip(elems or [], freqs or [], strict=False))
            self._loaded_at = time.monotonic()
        return self._frequencies

    def forget(self) -> None:
        self._loaded_at = float("-inf")
