"""Every endpoint and dependency is a coroutine: FastAPI runs plain functions in a thread pool,
a thread hand-off on every request that costs more than the work they do."""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from app.config import Settings
from app.main import create_app


def _api_routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # an included router
            yield from _api_routes(route.original_router.routes)


def _sync_calls(dependant: Dependant) -> Iterator[Any]:
    for dep in dependant.dependencies:
        call = dep.call
        target = call if inspect.isfunction(call) or inspect.ismethod(call) else call.__call__  # type: ignore[union-attr]
        if not (inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target)):
            yield call
        yield from _sync_calls(dep)


def test_no_endpoint_or_dependency_runs_in_the_thread_pool() -> None:
    app = create_app(Settings(database_url="postgresql://x@localhost/x"))
    routes = list(_api_routes(app.router.routes))
    assert len(routes) > 100
    offenders = [
        f"{route.path}: {call}"
        for route in routes
        for call in ([route.endpoint] if not inspect.iscoroutinefunction(route.endpoint) else [])
        + list(_sync_calls(route.dependant))
    ]
    assert offenders == []
