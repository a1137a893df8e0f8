"""Reference data loaded with the regions: criteria catalogue, checklist templates. Idempotent."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from app.criteria.seed import load_criteria
from app.visits.seed import load_checklists


async def load_reference_data(conn: AsyncConnection) -> None:
    await load_criteria(conn)
    await load_checklists(conn)
