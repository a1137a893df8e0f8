"""Other reference data loaded with the regions (criteria catalogue, checklist templates…).

Each domain adds an idempotent loader here.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection


async def load_reference_data(conn: AsyncConnection) -> None:
    return None
