"""Clock test fixtures: the hazards' world (enterprise, department, role tokens)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from httpx import AsyncClient

from tests.hazards.builders import World, make_world


@pytest.fixture
async def world(
    client: AsyncClient, token: Callable[..., dict[str, str]], admin: dict[str, str]
) -> World:
    return await make_world(client, token, admin)
