"""Builders for statistics, import and export tests."""

from __future__ import annotations

import codecs
import csv
import io
import uuid
from datetime import date
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.ids import new_id
from app.models.hazard import Hazard
from app.models.visit import Campaign, InspectionVisit
from tests.factories import COUNTY, TOWN


def csv_bytes(rows: list[list[Any]], *, bom: bool = True, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return codecs.BOM_UTF8 + data if bom and encoding == "utf-8" else data


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("data")
    for number, row in enumerate(rows):
        sheet.write_row(number, 0, row)
    book.close()
    return out.getvalue()


async def upload(
    client: AsyncClient,
    headers: dict[str, str],
    content: bytes,
    *,
    kind: str = "enterprises",
    dry_run: bool = False,
    filename: str = "units.csv",
) -> Response:
    return await client.post(
        "/api/v1/import-jobs",
        headers=headers,
        files={"file": (filename, content, "application/octet-stream")},
        data={"kind": kind, "dry_run": "true" if dry_run else "false"},
    )


async def campaign_with_hazards(
    connection: AsyncConnection,
    enterprise_id: uuid.UUID,
    hazard_ids: list[Any],
    *,
    name: str,
    ends_on: date,
) -> tuple[uuid.UUID, uuid.UUID]:
    """A hazchem campaign of the county with one completed visit of ``enterprise_id`` whose
    hazards are ``hazard_ids`` (rows written directly: campaign figures count them).
    (campaign id, visit id)."""
    campaign_id, visit_id = new_id(), new_id()
    await connection.execute(
        insert(Campaign).values(
            id=campaign_id,
            name=name,
            region_code=COUNTY,
            sectors=["hazchem"],
            starts_on=date(2026, 1, 1),
            ends_on=ends_on,
            version=1,
        )
    )
    await connection.execute(
        insert(InspectionVisit).values(
            id=visit_id,
            type="special_campaign",
            status="completed",
            enterprise_id=enterprise_id,
            region_code=TOWN,
            sectors=["hazchem"],
            planned_on=date(2026, 2, 1),
            participating_department_ids=[],
            created_by="test",
            campaign_id=campaign_id,
            version=1,
        )
    )
    await connection.execute(
        update(Hazard).where(Hazard.id.in_(hazard_ids)).values(visit_id=visit_id)
    )
    return campaign_id, visit_id
