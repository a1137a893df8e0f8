"""An application whose start-up fails in every worker process (for the launcher's tests)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette


@asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    raise RuntimeError("start-up fails on purpose")
    yield


def create_app() -> Starlette:
    return Starlette(lifespan=_lifespan)
