"""FastAPI glue for printable documents (see ``app.core.pdf``).

A printable record has its own route, ``GET …/{id}.pdf``, beside its JSON read.
``PdfNegotiationMiddleware`` lets the JSON read URL answer the same way: a ``GET`` whose
``Accept`` names ``application/pdf`` (with a non-zero quality) is routed to the PDF route given
by the rewrite rules the application installs it with.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.pdf import PDF_MEDIA_TYPE

PDF_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The document as PDF (A4, Chinese, official layout)",
        "content": {PDF_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        "headers": {
            "Content-Disposition": {
                "description": "inline, with an ASCII and a Chinese (RFC 5987) file name",
                "schema": {"type": "string"},
            }
        },
    },
}

Rewrite = tuple[re.Pattern[str], str]


def wants_pdf(accept: str) -> bool:
    """``application/pdf`` named in ``Accept`` with q > 0 (``*/*`` alone is not a request for
    a PDF)."""
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if media.lower() != PDF_MEDIA_TYPE:
            continue
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    return float(value) > 0
                except ValueError:
                    return False
        return True
    return False


class PdfNegotiationMiddleware:
    def __init__(self, app: ASGIApp, *, rewrites: Sequence[Rewrite]) -> None:
        self.app = app
        self.rewrites = tuple(rewrites)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            accept = next((v for k, v in scope["headers"] if k == b"accept"), None)
            if accept is not None and b"pdf" in accept and wants_pdf(accept.decode("latin-1")):
                path = scope["path"].rstrip("/")
                for pattern, replacement in self.rewrites:
                    if pattern.fullmatch(path):
                        new = pattern.sub(replacement, path)
                        scope = {**scope, "path": new, "raw_path": new.encode()}
                        break
        await self.app(scope, receive, send)
