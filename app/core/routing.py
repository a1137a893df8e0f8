"""Method guards and a correct ``Allow`` for 405 answers.

Starlette answers 405 with the methods of the first route whose path matched, and a request
such as ``PATCH /api/v1/hazards/export`` reaches ``PATCH /api/v1/hazards/{hazard_id}`` (a 422
about the id) although ``/export`` is a path of its own. ``install_method_guards`` puts, in front
of the routes, a guard for each fixed path that a parameterised route would otherwise take for
other methods, and keeps a table of every route's path and methods from which
``allowed_methods`` answers ``Allow``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from re import Pattern
from typing import Any

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import BaseRoute, Route, compile_path
from starlette.types import Scope


@dataclass(frozen=True)
class RoutePath:
    path: str
    regex: Pattern[str]
    fixed: bool  # no path parameters
    methods: frozenset[str]


def _walk(routes: Sequence[BaseRoute], prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    """(full path, methods) of every route, also inside routers FastAPI includes lazily."""
    for route in routes:
        included: Any = getattr(route, "original_router", None)
        if included is not None:
            context = getattr(route, "include_context", None)
            yield from _walk(included.routes, prefix + getattr(context, "prefix", ""))
            continue
        methods = getattr(route, "methods", None)
        path = getattr(route, "path", None)
        if methods and isinstance(path, str):
            yield prefix + path, set(methods)


def route_table(routes: Sequence[BaseRoute]) -> list[RoutePath]:
    table = []
    for path, methods in _walk(routes):
        regex, _, convertors = compile_path(path)
        if "GET" in methods:
            methods.add("HEAD")
        table.append(RoutePath(path, regex, not convertors, frozenset(methods)))
    return table


def allowed_methods(scope: Scope) -> list[str]:
    """The methods of the routes matching the request's path; a fixed path (no parameters)
    hides parameterised routes that also match it."""
    table: list[RoutePath] = getattr(scope["app"].state, "route_table", None) or route_table(
        scope["app"].router.routes
    )
    path = scope["path"]
    matching = [r for r in table if r.regex.match(path)]
    fixed = [r for r in matching if r.fixed]
    return sorted(set().union(*(r.methods for r in (fixed or matching))))


def _guard(allow: str) -> Callable[[Request], Awaitable[None]]:
    async def method_not_allowed(request: Request) -> None:
        raise HTTPException(405, headers={"Allow": allow})

    return method_not_allowed


def install_method_guards(app: FastAPI) -> None:
    table = route_table(app.router.routes)
    app.state.route_table = table
    fixed: dict[str, set[str]] = {}
    for route in table:
        if route.fixed:
            fixed.setdefault(route.path, set()).update(route.methods)
    guards: list[BaseRoute] = []
    for path, methods in fixed.items():
        taken: set[str] = set()
        for route in table:
            if not route.fixed and route.regex.match(path):
                taken |= route.methods - methods
        if taken:
            allow = ", ".join(sorted(methods))
            guards.append(
                Route(path, _guard(allow), methods=sorted(taken), include_in_schema=False)
            )
    app.router.routes[0:0] = guards
