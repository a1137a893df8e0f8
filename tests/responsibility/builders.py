"""Responsibility builders: people, assignments and sources through HTTP; hazards and visits
inserted directly (their HTTP flows belong to other domains)."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, datetime
from typing import Any

from httpx import AsyncClient
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.clock import utcnow
from app.models.hazard import Hazard
from app.models.visit import InspectionVisit, VisitMember

_serial = itertools.count(1)
URL = "/api/v1/responsibility-assignments"


async def official(
    client: AsyncClient, headers: dict[str, str], department_id: str, name: str | None = None
) -> dict[str, Any]:
    body = {
        "name": name or f"领导{next(_serial)}",
        "kind": "official",
        "department_id": department_id,
        "roles": ["department_official"],
    }
    response = await client.post("/api/v1/people", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def staff(
    client: AsyncClient, headers: dict[str, str], enterprise_id: str, name: str | None = None
) -> dict[str, Any]:
    body = {
        "name": name or f"企业人员{next(_serial)}",
        "kind": "enterprise_staff",
        "position": "other",
        "enterprise_id": enterprise_id,
        "roles": ["enterprise_user"],
    }
    response = await client.post("/api/v1/people", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


async def post_assignment(
    client: AsyncClient, headers: dict[str, str], kind: str, **fields: Any
) -> Any:
    body = {"kind": kind, **{k: _json(v) for k, v in fields.items()}}
    return await client.post(URL, json=body, headers=headers)


async def assign(
    client: AsyncClient, headers: dict[str, str], kind: str, **fields: Any
) -> dict[str, Any]:
    response = await post_assignment(client, headers, kind, **fields)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def source(
    client: AsyncClient, headers: dict[str, str], enterprise_id: str, grade: int = 2
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/major-hazard-sources",
        headers=headers,
        json={"enterprise_id": enterprise_id, "name": f"液氯储罐区{next(_serial)}", "grade": grade},
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def hazard(
    connection: AsyncConnection,
    enterprise: dict[str, Any],
    *,
    level: str = "major",
    status: str = "rectifying",
    deadline: date | None = None,
    responsible: str | None = None,
) -> uuid.UUID:
    hazard_id = uuid.uuid4()
    await connection.execute(
        insert(Hazard).values(
            id=hazard_id,
            code=f"{enterprise['region_code'][:6]}-2026-R{next(_serial):05d}",
            title="储罐区可燃气体报警器失效",
            enterprise_id=uuid.UUID(enterprise["id"]),
            region_code=enterprise["region_code"],
            sectors=enterprise["sectors"],
            sector=enterprise["sectors"][0],
            category="unsafe_condition",
            level=level,
            source="departmental",
            found_at=utcnow(),
            reported_by="test",
            reported_by_role="admin",
            status=status,
            deadline=deadline,
            responsible_person={"name": responsible} if responsible else None,
        )
    )
    return hazard_id


async def visit(
    connection: AsyncConnection, enterprise: dict[str, Any], person_id: str, started_at: datetime
) -> uuid.UUID:
    visit_id = uuid.uuid4()
    await connection.execute(
        insert(InspectionVisit).values(
            id=visit_id,
            type="leader_led",
            status="completed",
            enterprise_id=uuid.UUID(enterprise["id"]),
            region_code=enterprise["region_code"],
            sectors=enterprise["sectors"],
            planned_on=started_at.date(),
            started_at=started_at,
            completed_at=started_at,
            created_by="test",
        )
    )
    await connection.execute(
        insert(VisitMember).values(
            id=uuid.uuid4(),
            visit_id=visit_id,
            person_id=uuid.UUID(person_id),
            role="leader",
            name="领导",
        )
    )
    return visit_id
