"""FastAPI glue for streamed exports (see ``app.core.export``).

A list gets an export with one route, ``GET /api/v1/<list>/export``, whose query model is the
list's filter plus ``format`` (``ExportQuery`` mixin): ``format=csv|xlsx`` wins over ``Accept``
(``text/csv`` or the XLSX media type); headers follow ``Accept-Language`` (zh-CN or en).

The route fetches the first batch inside the request (so 403, 404 and 422 are ordinary problem
responses), then returns a ``StreamingResponse`` whose generator fetches every further keyset
batch in its own short-lived session: no transaction and no connection is held between batches,
and memory stays constant however many rows there are.

``ExportNegotiationMiddleware`` (optional, installed by the app) lets the plain list URL answer
the same way: a ``GET /api/v1/<list>`` that asks for CSV/XLSX (``Accept`` or ``format=``) is
routed to ``/api/v1/<list>/export`` when that route exists.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, create_model
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send

from app.config import Settings
from app.core import request_context
from app.core.clock import today_china
from app.core.export import (
    MEDIA_TYPES,
    ExportColumn,
    ExportFormat,
    Row,
    content_disposition,
    encode,
    negotiate,
    paged_rows,
    wants_export,
)

PageFetch = Callable[[AsyncSession, str | None, int], Awaitable[tuple[Sequence[Row], str | None]]]


PAGING_FIELDS = frozenset({"cursor", "limit", "changed_since"})
FORMAT_DESCRIPTION = "csv or xlsx; overrides the Accept header (default csv)"


def export_query_model(base: type[BaseModel], name: str) -> type[BaseModel]:
    """The query model of ``<list>/export``: the list filter's fields (sort included) without
    paging (an export covers every page), plus ``format``; unknown parameters stay a 422.

    Field validators of ``base`` are not carried over (the list filters have none); the filter
    itself is rebuilt from the export query with ``base.model_validate`` before use.
    """
    fields: dict[str, Any] = {
        n: (f.annotation, f) for n, f in base.model_fields.items() if n not in PAGING_FIELDS
    }
    fields["format"] = (ExportFormat | None, Field(default=None, description=FORMAT_DESCRIPTION))
    model: type[BaseModel] = create_model(
        name, __config__=ConfigDict(extra="forbid"), __doc__=f"Export of {base.__name__}", **fields
    )
    return model


EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The rows as CSV (UTF-8 with BOM) or XLSX, streamed",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            MEDIA_TYPES[ExportFormat.xlsx]: {"schema": {"type": "string", "format": "binary"}},
        },
    },
}


def is_chinese() -> bool:
    return request_context.current.get().language.startswith("zh")


async def stream_export(
    request: Request,
    session: AsyncSession,
    settings: Settings,
    *,
    format_param: ExportFormat | None,
    columns: Sequence[ExportColumn],
    fetch: PageFetch,
    name: str,
    name_zh: str,
) -> StreamingResponse:
    """Run ``fetch`` (one keyset page: session, cursor, size) over every page and stream it."""
    fmt = negotiate(format_param.value if format_param else None, request.headers.get("accept"))
    zh = is_chinese()
    batch = settings.export_batch_rows
    first, next_cursor = await fetch(session, None, batch)
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker

    async def fetch_more(cursor: str | None) -> tuple[Sequence[Row], str | None]:
        async with sessionmaker() as batch_session:
            try:
                return await fetch(batch_session, cursor, batch)
            finally:
                await batch_session.rollback()

    body = encode(
        fmt,
        columns,
        paged_rows(first, next_cursor, fetch_more),
        zh=zh,
        sheet_name=name_zh if zh else name,
        tmp_dir=settings.export_tmp_dir,
        tz=ZoneInfo(settings.export_time_zone),
    )
    stamp = today_china().strftime("%Y%m%d")
    return StreamingResponse(
        body,
        media_type=MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": content_disposition(name, name_zh, fmt, stamp),
            "Content-Language": "zh-CN" if zh else "en",
            "Cache-Control": "no-store",
        },
    )


def model_rows(items: Sequence[BaseModel]) -> list[Row]:
    """Response models → plain rows for the export columns (enums as values, dates as dates)."""
    return [item.model_dump() for item in items]


class ExportNegotiationMiddleware:
    """Route ``GET <list>`` asking for CSV/XLSX to ``GET <list>/export`` when that exists."""

    def __init__(self, app: ASGIApp, *, export_paths: set[str] | None = None) -> None:
        self.app = app
        self.export_paths = export_paths

    def _paths(self, scope: Scope) -> set[str]:
        if self.export_paths is None:
            app: Any = scope.get("app")
            paths = app.openapi().get("paths", {}) if hasattr(app, "openapi") else {}
            self.export_paths = {p[: -len("/export")] for p in paths if p.endswith("/export")}
        return self.export_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            path = scope["path"].rstrip("/")
            # Asked first: the export paths come from the OpenAPI document, which takes seconds
            # to build, so only the first request that wants a file pays for it.
            if self._asks_for_export(scope) and path in self._paths(scope):
                scope = {**scope, "path": path + "/export", "raw_path": (path + "/export").encode()}
        await self.app(scope, receive, send)

    @staticmethod
    def _asks_for_export(scope: Scope) -> bool:
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if query.get("format") in ("csv", "xlsx"):
            return True
        for key, value in scope["headers"]:
            if key == b"accept":
                return wants_export(value.decode("latin-1")) is not None
        return False


def table_response(
    request: Request,
    settings: Settings,
    *,
    format_param: ExportFormat | None,
    columns: Sequence[ExportColumn],
    rows: Sequence[Row],
    name: str,
    name_zh: str,
) -> StreamingResponse:
    """A small, already computed table (e.g. statistics groups) as CSV or XLSX."""
    fmt = negotiate(format_param.value if format_param else None, request.headers.get("accept"))
    zh = is_chinese()

    async def one_batch() -> AsyncIterator[Sequence[Row]]:
        yield rows

    body = encode(
        fmt,
        columns,
        one_batch(),
        zh=zh,
        sheet_name=name_zh if zh else name,
        tmp_dir=settings.export_tmp_dir,
        tz=ZoneInfo(settings.export_time_zone),
    )
    stamp = today_china().strftime("%Y%m%d")
    return StreamingResponse(
        body,
        media_type=MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": content_disposition(name, name_zh, fmt, stamp),
            "Content-Language": "zh-CN" if zh else "en",
            "Cache-Control": "no-store",
        },
    )
