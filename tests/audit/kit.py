"""The machinery of the every-write audit test: ``Write`` rows, their setup kit and matchers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from unittest.mock import ANY

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection

Ctx = dict[str, Any]
Headers = dict[str, str]


@dataclass
class Kit:
    """What a setup may use: the HTTP client, the admin's headers, the token minter and the
    test's connection (for the few rows that must be inserted directly)."""

    client: AsyncClient
    admin: Headers
    token: Callable[..., Headers]
    connection: AsyncConnection

    def as_(self, ctx: Ctx, role: str, **claims: Any) -> Headers:
        """Headers of a ``role`` token with a known subject, remembered as ``ctx["as"][role]``
        so that a row can run its request as that role (``Write.actor``)."""
        headers = self.token(role, sub=f"audit-{role}", **claims)
        ctx.setdefault("as", {})[role] = headers
        return headers


Setup = Callable[[Kit], Awaitable[Ctx]]


async def nothing(kit: Kit) -> Ctx:
    return {}


def created(**fields: Any) -> dict[str, Any]:
    """The diff of a create: every non-null field, old = None."""
    return {k: {"old": None, "new": v} for k, v in sorted(fields.items())}


def changed(**fields: tuple[Any, Any]) -> dict[str, Any]:
    return {k: {"old": old, "new": new} for k, (old, new) in sorted(fields.items())}


DELETED = {"deleted_at": {"old": None, "new": ANY}}


class Includes(dict[str, Any]):
    """A diff that must contain at least these fields with these values (other fields may
    change too). Used where the full diff carries many derived fields (codes, timestamps,
    snapshots) whose exact values add nothing: the fields the operation is about are pinned."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, dict) and all(
            key in other and other[key] == value for key, value in self.items()
        )

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None

    def __repr__(self) -> str:
        return f"Includes({dict.__repr__(self)})"


def includes(**fields: tuple[Any, Any]) -> Includes:
    return Includes(changed(**fields))


def new(**fields: Any) -> Includes:
    """A create's diff containing at least these fields (old = None)."""
    return Includes(created(**fields))


@dataclass(frozen=True)
class Write:
    name: str  # the operationId
    method: str
    path: str  # formatted with the setup's context, e.g. "/api/v1/people/{person[id]}"
    resource_type: str
    action: str
    expected_changes: Callable[[Ctx, dict[str, Any]], dict[str, Any]]
    setup: Setup = nothing
    body: Callable[[Ctx], dict[str, Any] | None] = lambda ctx: None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    resource_id: Callable[[Ctx, dict[str, Any]], str] = lambda ctx, body: str(body["id"])
    # The role whose headers (``ctx["as"][actor]``, see ``Kit.as_``) send the request; None =
    # anonymous (public intake); "admin" = the test administrator.
    actor: str | None = "admin"
    # Multipart uploads: {"data": {...}, "files": {...}} instead of a JSON body.
    multipart: Callable[[Ctx], dict[str, Any]] | None = None
    # Further audit rows this one operation legitimately writes, resource_type → count, each
    # explained where the row is declared. The main row must still be exactly one.
    also: dict[str, int] = field(default_factory=dict)
    # A known bug in the app (the row is what the app SHOULD do): the test is a strict xfail,
    # so it turns red the day the bug is fixed and the marker must go.
    bug: str | None = None
    # A second row for the same operation (another case of it) names its variant.
    variant: str = ""

    @property
    def test_id(self) -> str:
        return f"{self.name}-{self.variant}" if self.variant else self.name
