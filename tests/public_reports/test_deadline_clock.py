"""The deadline clock job: reminders before the close deadline, overdue events after it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

import app.public_reports.jobs  # noqa: F401 - registers the job
from app.config import Settings
from app.core import clock
from app.worker.clock import run_job
from tests.factories import TOWN
from tests.public_reports.builders import Token, act, find_report, setup_county, submit


async def _run(
    connection: AsyncConnection, settings: Settings, name: str = "public_report_deadlines"
) -> dict[str, Any]:
    async with AsyncSession(bind=connection, join_transaction_mode="create_savepoint") as s:
        result = await run_job(s, settings, name)
        await s.commit()
    return result


async def test_reminder_then_overdue_once(
    client: AsyncClient,
    admin: dict[str, str],
    token: Token,
    connection: AsyncConnection,
    settings: Settings,
) -> None:
    county = await setup_county(client, admin, token)
    receipt = await submit(
        client,
        region_code=TOWN,
        subject_name="某仓库",
        anonymous=False,
        reporter={"name": "李隐名", "contact": "13800009999"},
    )
    report = await find_report(client, county.tokens["committee"], receipt["receipt_code"])
    await act(client, county.tokens["committee"], report["id"], "accept")
    assert await _run(connection, settings) == {"reminded": 0, "overdue": 0}
    clock.set_offset(timedelta(days=55))
    assert await _run(connection, settings) == {"reminded": 1, "overdue": 0}
    assert await _run(connection, settings) == {"reminded": 0, "overdue": 0}
    clock.set_offset(timedelta(days=61))
    assert await _run(connection, settings) == {"reminded": 0, "overdue": 1}
    assert await _run(connection, settings) == {"reminded": 0, "overdue": 0}
    events = (
        (
            await connection.execute(
                text(
                    "SELECT data::text FROM outbox_event "
                    "WHERE type = 'gov.anjian.public_report.overdue' AND subject = :s"
                ),
                {"s": f"public_report/{report['id']}"},
            )
        )
        .scalars()
        .all()
    )
    assert len(events) == 1
    assert "李隐名" not in events[0]
    assert "13800009999" not in events[0]
    notices = (
        await connection.execute(
            text("SELECT count(*) FROM notification WHERE resource_id = :r"), {"r": report["id"]}
        )
    ).scalar_one()
    assert notices == 2


async def test_unused_photos_are_removed_after_a_day(
    client: AsyncClient, connection: AsyncConnection, settings: Settings
) -> None:
    from tests.public_reports.test_photos import jpeg_with_exif

    files = {"file": ("p.jpg", jpeg_with_exif(), "image/jpeg")}
    used = (await client.post("/api/v1/public-reports/photos", files=files)).json()
    unused = (await client.post("/api/v1/public-reports/photos", files=files)).json()
    await submit(client, region_code=TOWN, subject_name="某厂", photo_ids=[used["id"]])
    name = "public_report_photo_cleanup"
    assert await _run(connection, settings, name) == {"removed": 0}
    clock.set_offset(timedelta(hours=25))
    assert await _run(connection, settings, name) == {"removed": 1}
    left = (
        (await connection.execute(text("SELECT id::text FROM public_report_photo"))).scalars().all()
    )
    assert used["id"] in left
    assert unused["id"] not in left
