"""Small FastAPI helpers shared by routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Response

from app.core.concurrency import etag, parse_if_match


async def _if_match(
    if_match: Annotated[
        str | None, Header(alias="If-Match", description="ETag (version) last seen")
    ] = None,
) -> int | None:
    return parse_if_match(if_match)


IfMatchDep = Annotated[int | None, Depends(_if_match)]


def with_etag(response: Response, version: int, location: str | None = None) -> None:
    response.headers["ETag"] = etag(version)
    if location:
        response.headers["Location"] = location
