"""Hazard builders: plain async helpers over HTTP (so every step goes through the real rules)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.clock import today_china
from app.models.identity import Person
from app.models.reference import CriteriaClause
from tests.factories import COUNTY, create_department, create_enterprise

Headers = dict[str, str]
_serial = itertools.count(1)

# Smallest byte strings each signature sniffer recognises.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64


def in_days(days: int) -> str:
    return (today_china() + timedelta(days=days)).isoformat()


class World:
    """An enterprise in a town of the test county, its department, and tokens for each role."""

    def __init__(
        self,
        client: AsyncClient,
        token: Callable[..., Headers],
        admin: Headers,
        enterprise: dict[str, Any],
        department: dict[str, Any],
    ) -> None:
        self.client, self.token, self.admin = client, token, admin
        self.enterprise, self.department = enterprise, department
        self.ent_id: str = enterprise["id"]
        self.dept = token("department_official", region_code=COUNTY, department_id=department["id"])
        self.enterprise_user = token("enterprise_user", enterprise_id=self.ent_id)
        self.inspector = token("inspector", department_id=department["id"])

    async def hazard(self, headers: Headers | None = None, **overrides: Any) -> dict[str, Any]:
        response = await self.client.post(
            "/api/v1/hazards",
            json=hazard_body(overrides.pop("enterprise_id", self.ent_id), **overrides),
            headers=headers or self.admin,
        )
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    async def act(
        self,
        hazard: dict[str, Any] | str,
        action: str,
        body: dict[str, Any] | None,
        headers: Headers | None = None,
        if_match: int | None = None,
    ) -> Response:
        hazard_id = hazard if isinstance(hazard, str) else hazard["id"]
        extra = {"If-Match": f'"{if_match}"'} if if_match is not None else {}
        return await self.client.post(
            f"/api/v1/hazards/{hazard_id}/{action}",
            json=body or {},
            headers={**(headers or self.admin), **extra},
        )

    async def ok(
        self,
        hazard: dict[str, Any] | str,
        action: str,
        body: dict[str, Any] | None = None,
        headers: Headers | None = None,
    ) -> dict[str, Any]:
        response = await self.act(hazard, action, body, headers)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def upload(
        self,
        hazard_id: str,
        *,
        purpose: str = "after",
        data: bytes = PNG,
        filename: str = "after.png",
        headers: Headers | None = None,
    ) -> Response:
        return await self.client.post(
            "/api/v1/attachments",
            data={"hazard_id": hazard_id, "purpose": purpose},
            files={"file": (filename, data, "application/octet-stream")},
            headers=headers or self.admin,
        )

    async def photo(self, hazard_id: str, purpose: str = "after") -> str:
        response = await self.upload(hazard_id, purpose=purpose)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    # ---- shortcuts through the lifecycle --------------------------------------------------

    async def registered(
        self, level: str = "general", treatment: str = "by_deadline", **overrides: Any
    ) -> dict[str, Any]:
        hz = await self.hazard(**overrides)
        body: dict[str, Any] = {"level": level, "treatment_type": treatment}
        if level == "major":
            body = {"level": "major", "expert_note": "专家认定为重大隐患"}
        return await self.ok(hz, "register", body)

    async def rectifying(self, **overrides: Any) -> dict[str, Any]:
        hz = await self.registered(**overrides)
        return await self.ok(hz, "order-rectification", order_body(), self.dept)

    async def planning(self, production_order: str = "none", **overrides: Any) -> dict[str, Any]:
        hz = await self.registered("major", **overrides)
        body: dict[str, Any] = {"production_order": production_order}
        if production_order != "none":
            body["production_order_document"] = "西应急停〔2026〕1号"
        return await self.ok(hz, "report-major", body, self.enterprise_user)

    async def major_rectifying(self, production_order: str = "none") -> dict[str, Any]:
        hz = await self.planning(production_order)
        return await self.ok(hz, "submit-plan", plan_body(), self.enterprise_user)

    async def pending(self) -> dict[str, Any]:
        hz = await self.rectifying()
        photo = await self.photo(hz["id"])
        return await self.ok(
            hz,
            "declare-completion",
            {"note": "已整改", "attachment_ids": [photo]},
            self.enterprise_user,
        )


def hazard_body(enterprise_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "enterprise_id": enterprise_id,
        "title": f"储罐区静电接地失效{next(_serial)}",
        "description": "二号储罐静电接地线断裂，未及时修复",
        "sector": "hazchem",
        "category": "unsafe_condition",
        "source": "departmental",
        "place": "储罐区",
        "location": {"lat": 30.259, "lon": 120.13},
        **overrides,
    }


def order_body(**overrides: Any) -> dict[str, Any]:
    return {
        "responsible_person": {"name": "张三", "phone": "13812345678"},
        "deadline": in_days(30),
        "measures": "更换接地线并检测",
        "order_document_number": "西应急责改〔2026〕12号",
        **overrides,
    }


def plan_body(**overrides: Any) -> dict[str, Any]:
    return {
        "plan_goals_tasks": "消除储罐区重大隐患",
        "plan_methods_measures": "停用并更换",
        "plan_funds_materials": "50万元，物资已落实",
        "plan_organisation_people": "总经理牵头",
        "plan_time_requirements": "60日内完成",
        "plan_safety_emergency": "制定应急预案",
        "deadline": in_days(60),
        **overrides,
    }


async def make_world(
    client: AsyncClient, token: Callable[..., Headers], admin: Headers, **enterprise: Any
) -> World:
    department = await create_department(client, admin)
    ent = await create_enterprise(client, admin, **enterprise)
    return World(client, token, admin, ent, department)


async def add_person(
    connection: AsyncConnection,
    *,
    subject: str,
    region_code: str | None = COUNTY,
    kind: str = "expert",
    roles: list[str] | None = None,
) -> uuid.UUID:
    person_id = uuid.uuid4()
    await connection.execute(
        insert(Person).values(
            id=person_id,
            subject=subject,
            name=f"专家{next(_serial)}",
            kind=kind,
            roles=roles or ["expert"],
            active=True,
            version=1,
            region_code=region_code,
        )
    )
    return person_id


async def a_clause(connection: AsyncConnection) -> str | None:
    clause = (await connection.execute(select(CriteriaClause.id).limit(1))).scalar()
    return str(clause) if clause else None


def today() -> date:
    return today_china()
