"""Where a new report goes.

1. A report about deaths goes to the county government of its place, whatever the rules say.
2. Otherwise the best matching routing rule (table ``report_routing_rule``: category, sector,
   region prefix; lowest priority number, then the most specific).
3. Otherwise the county's safety committee office, else the county government.
4. Otherwise nobody yet: the committee office of the region sees it and can transfer it.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.public_reports import repository
from app.public_reports.enums import ReportCategory
from app.reference.enums import DepartmentKind

DEATHS = ReportCategory.accident_with_deaths.value


async def route(
    session: AsyncSession, *, category: str, sectors: list[str], region_code: str
) -> uuid.UUID | None:
    county = region_code[:6]
    if category == DEATHS:
        government = await repository.unit_of_kind(
            session, county, DepartmentKind.county_government.value
        )
        if government is not None:
            return government
    else:
        ruled = await repository.matching_rule(
            session, category=category, sectors=sectors, region_code=region_code
        )
        if ruled is not None:
            return ruled
    for kind in (DepartmentKind.committee_office, DepartmentKind.county_government):
        unit = await repository.unit_of_kind(session, county, kind.value)
        if unit is not None:
            return unit
    return None
