"""Two workers running the clock at the same moment: each firing happens once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.config import Settings
from app.models.audit import OutboxEvent
from app.models.enterprise import Enterprise
from app.models.hazard import Hazard
from app.models.responsibility import ResponsibilitySnapshot
from app.models.webhook import Notification
from app.worker.clock import run_due_jobs
from tests.events.builders import committed
from tests.factories import TOWN, make_uscc
from tests.worker.builders import add_hazard, travel_to


async def test_concurrent_workers_fire_once(engine: AsyncEngine, settings: Settings) -> None:
    async with committed(engine) as maker:
        ent_id = uuid.uuid4()
        async with maker() as session:
            overdue_clock = (
                await session.execute(text("SELECT as_of FROM hazard_overdue_clock"))
            ).scalar_one_or_none()
        try:
            async with maker() as session, session.begin():
                session.add(
                    Enterprise(
                        id=ent_id,
                        uscc=make_uscc(),
                        name="并发测试企业",
                        kind="enterprise",
                        region_code=TOWN,
                        sectors=["hazchem"],
                    )
                )
                await session.flush()
                ent = {"id": str(ent_id), "region_code": TOWN, "sectors": ["hazchem"]}
                hazards = [
                    await add_hazard(session, ent, deadline=date(2026, 10, 9)) for _ in range(5)
                ]
            travel_to(date(2026, 10, 20))
            ids = [h.id for h in hazards]
            results = await asyncio.gather(
                *(run_due_jobs(maker, settings, f"w{i}", force=True) for i in range(4))
            )
            fired = sum(r.get("hazard_overdue", {}).get("fired", 0) for r in results)
            assert fired == 5
            async with maker() as session:
                overdue = (
                    await session.execute(
                        select(func.count())
                        .select_from(OutboxEvent)
                        .where(
                            OutboxEvent.type == "gov.anjian.hazard.overdue",
                            OutboxEvent.subject.in_([f"hazard/{i}" for i in ids]),
                        )
                    )
                ).scalar_one()
                steps = (
                    await session.execute(
                        select(func.count())
                        .select_from(OutboxEvent)
                        .where(
                            OutboxEvent.type == "gov.anjian.hazard.escalation_step",
                            OutboxEvent.subject.in_([f"hazard/{i}" for i in ids]),
                        )
                    )
                ).scalar_one()
                snaps = (
                    await session.execute(
                        select(func.count())
                        .select_from(ResponsibilitySnapshot)
                        .where(ResponsibilitySnapshot.hazard_id.in_(ids))
                    )
                ).scalar_one()
            assert (overdue, snaps) == (5, 5)
            assert steps == 10  # steps at 0 and 7 days (deadline Oct 9, today Oct 20)
        finally:
            async with maker() as session, session.begin():
                await session.execute(text("SET LOCAL session_replication_role = replica"))
                await session.execute(
                    delete(ResponsibilitySnapshot).where(
                        ResponsibilitySnapshot.enterprise_id == ent_id
                    )
                )
                await session.execute(
                    delete(Notification).where(Notification.enterprise_id == ent_id)
                )
                # Hazards are deleted with triggers on, so the statistics rollups follow.
                await session.execute(text("SET LOCAL session_replication_role = origin"))
                await session.execute(delete(Hazard).where(Hazard.enterprise_id == ent_id))
                await session.execute(delete(Enterprise).where(Enterprise.id == ent_id))
                # The jobs ran for real at a moved clock: put the overdue clock back.
                await session.execute(
                    text("UPDATE hazard_overdue_clock SET as_of = :d"), {"d": overdue_clock}
                )
