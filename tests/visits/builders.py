"""Builders for the visits tests (through HTTP, plus people inserted directly)."""

from __future__ import annotations

import uuid
from typing import Any

from httpx import AsyncClient
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models.identity import Person
from tests.factories import COUNTY, create_department, create_enterprise
from tests.hazards.builders import PNG

HERE = {"lat": 30.259, "lon": 120.13}  # the enterprise builder's location
FAR = {"lat": 30.30, "lon": 120.20}


async def add_person(
    connection: AsyncConnection,
    *,
    subject: str,
    region_code: str | None = COUNTY,
    name: str = "王检查",
    kind: str = "inspector",
    department_id: Any = None,
) -> uuid.UUID:
    person_id = uuid.uuid4()
    await connection.execute(
        insert(Person).values(
            id=person_id,
            subject=subject,
            name=name,
            kind=kind,
            roles=[kind],
            version=1,
            active=True,
            department_id=department_id,
            region_code=region_code,
        )
    )
    return person_id


def inspector_member(name: str = "王检查", person_id: Any = None) -> dict[str, Any]:
    return {
        "role": "inspector",
        "name": name,
        "certificate_number": "33010620260001",
        "person_id": str(person_id) if person_id else None,
    }


async def setup_unit(
    client: AsyncClient, admin: dict[str, str], token: Any, **enterprise: Any
) -> dict[str, Any]:
    """A hazchem department, an official of it, and an enterprise in its scope."""
    dept = await create_department(client, admin)
    ent = await create_enterprise(client, admin, **enterprise)
    official = token("department_official", department_id=dept["id"])
    return {"dept": dept, "ent": ent, "official": official}


async def plan_visit(
    client: AsyncClient, headers: dict[str, str], enterprise_id: str, **overrides: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "departmental",
        "enterprise_id": enterprise_id,
        "planned_on": "2026-12-01",
        "purpose": "例行执法检查",
        "members": [inspector_member()],
        **overrides,
    }
    response = await client.post("/api/v1/inspection-visits", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def start(
    client: AsyncClient, headers: dict[str, str], visit_id: str, **body: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/inspection-visits/{visit_id}/start",
        json={"location": HERE, **body},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def complete(client: AsyncClient, headers: dict[str, str], visit_id: str) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/inspection-visits/{visit_id}/complete",
        json={"summary": "检查了重点部位", "conclusion": "发现隐患，责令整改", "location": HERE},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def visit_file(
    client: AsyncClient, headers: dict[str, str], visit_id: str, purpose: str = "other"
) -> str:
    """Upload a PNG to the visit (a checklist photo or a signature image); its id."""
    r = await client.post(
        "/api/v1/attachments",
        data={"visit_id": visit_id, "purpose": purpose},
        files={"file": ("photo.png", PNG, "image/png")},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    assert r.json()["visit_id"] == visit_id
    assert r.json()["hazard_id"] is None
    return str(r.json()["id"])
