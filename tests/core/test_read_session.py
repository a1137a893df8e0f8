"""Read-only request sessions may append audit rows and nothing else."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from app.models.audit import AuditEvent
from app.models.reference import Department


async def test_read_session_refuses_writes_but_audit_rows(app: Any) -> None:
    async with app.state.read_sessionmaker() as session:
        session.add(Department(id=uuid.uuid4(), name="不该写入", region_code="330106", version=1))
        with pytest.raises(RuntimeError, match="can only append audit rows"):
            await session.flush()
        session.expunge_all()
        session.add(
            AuditEvent(
                actor_subject="t",
                actor_role="admin",
                action="personal_data_read",
                resource_type="hazard",
                resource_id="x",
                changes={},
                request_id="r",
            )
        )
        await session.flush()  # allowed
