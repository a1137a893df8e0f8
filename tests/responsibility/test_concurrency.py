"""The seat rule holds under concurrency: real commits on two connections (cleaned up after)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.clock import utcnow
from app.models.enterprise import Enterprise
from app.models.identity import Person
from app.models.responsibility import ResponsibilityAssignment
from tests.factories import TOWN, enterprise_row


def _assignment(enterprise_id: uuid.UUID, person_id: uuid.UUID) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "kind": "enterprise_main_responsible",
        "holder_type": "person",
        "holder_person_id": person_id,
        "object_type": "enterprise",
        "object_enterprise_id": enterprise_id,
        "valid_from": utcnow(),
        "region_code": TOWN,
        "sectors": ["hazchem"],
        "enterprise_id": enterprise_id,
        "created_by": "test",
        "public_display": False,
        "version": 1,
    }


async def test_concurrent_inserts_for_one_seat(engine: AsyncEngine) -> None:
    ent_id, p1, p2 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    async with engine.begin() as conn:
        await conn.execute(
            insert(Enterprise).values(**enterprise_row(id=ent_id, name="并发测试公司"))
        )
        for pid in (p1, p2):
            await conn.execute(
                insert(Person).values(
                    id=pid,
                    name="并发",
                    kind="enterprise_staff",
                    roles=[],
                    active=True,
                    version=1,
                    enterprise_id=ent_id,
                )
            )
    try:
        async with engine.connect() as first, engine.connect() as second:
            await first.begin()
            await first.execute(insert(ResponsibilityAssignment).values(_assignment(ent_id, p1)))
            await second.begin()
            # The second writer of the seat waits for the first (advisory lock in the trigger)…
            racing = asyncio.create_task(
                second.execute(insert(ResponsibilityAssignment).values(_assignment(ent_id, p2)))
            )
            await asyncio.sleep(0.5)
            assert not racing.done()
            await first.commit()
            # …and then sees the committed row and refuses.
            with pytest.raises(IntegrityError) as caught:
                await racing
            cause = caught.value.orig.__cause__  # type: ignore[union-attr]
            assert getattr(cause, "sqlstate", None) == "23P01"
            assert getattr(cause, "constraint_name", None) == (
                "responsibility_assignment_seat_overlap"
            )
            await second.rollback()
            # A writer of another seat (a safety manager) is not blocked.
            await first.begin()
            other = _assignment(ent_id, p2) | {"kind": "enterprise_safety_manager"}
            await first.execute(insert(ResponsibilityAssignment).values(other))
            await first.commit()
    finally:
        async with engine.begin() as conn:
            await conn.execute(
                delete(ResponsibilityAssignment).where(
                    ResponsibilityAssignment.object_enterprise_id == ent_id
                )
            )
            await conn.execute(delete(Person).where(Person.id.in_([p1, p2])))
            await conn.execute(delete(Enterprise).where(Enterprise.id == ent_id))
