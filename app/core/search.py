"""Substring search (Chinese included) on core PostgreSQL.

Searchable text is indexed as an array of its characters and character pairs
(``anjian_ngrams``, GIN over text[]); a query's pairs narrow the rows through the index and
``ILIKE`` confirms the exact substring.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Text, and_, bindparam, or_
from sqlalchemy.dialects.postgresql import ARRAY


def query_grams(term: str) -> list[str]:
    value = term.lower()
    if len(value) == 1:
        return [value]
    return sorted({value[i : i + 2] for i in range(len(value) - 1)})


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def substring_match(grams_column: Any, text_columns: list[Any], term: str) -> ColumnElement[bool]:
    pattern = _like_pattern(term.strip())
    return and_(
        grams_column.contains(bindparam(None, query_grams(term.strip()), type_=ARRAY(Text))),
        or_(*[col.ilike(pattern, escape="\\") for col in text_columns]),
    )
