"""People builders (through HTTP)."""

from __future__ import annotations

import itertools
from typing import Any

from httpx import AsyncClient

_serial = itertools.count(1)


async def create_person(
    client: AsyncClient,
    headers: dict[str, str],
    *,
    department_id: str | None = None,
    enterprise_id: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """An official of ``department_id``, or a safety manager of ``enterprise_id``."""
    n = next(_serial)
    body: dict[str, Any]
    if enterprise_id is not None:
        body = {
            "name": f"企业人员{n}",
            "kind": "enterprise_staff",
            "position": "safety_manager",
            "enterprise_id": enterprise_id,
            "roles": ["enterprise_user"],
        }
    else:
        body = {
            "name": f"工作人员{n}",
            "kind": "official",
            "department_id": department_id,
            "roles": ["department_official"],
        }
    body = {"phone": "13812345678", **body, **overrides}
    response = await client.post("/api/v1/people", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]
