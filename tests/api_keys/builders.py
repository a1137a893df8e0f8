"""API key builders (through HTTP)."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient


async def create_api_key(
    client: AsyncClient, admin: dict[str, str], **overrides: Any
) -> dict[str, Any]:
    """Returns the created key (its ``key`` field holds the secret, shown once)."""
    body = {"name": "市应急指挥平台", "read_only": True, **overrides}
    response = await client.post("/api/v1/api-keys", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def key_header(created: dict[str, Any]) -> dict[str, str]:
    return {"X-API-Key": created["key"]}
