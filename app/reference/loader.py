"""Idempotent loader for the national region list (data/regions/*.csv, any year's edition).

``python -m app.reference.loader [--dir data/regions] [--year 2023]`` upserts every row; rows
that vanished from a newer list are kept (old records may still point at them).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from app.config import Settings
from app.models.reference import Region

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "data" / "regions"
FILES = (  # file, level, parent column
    ("provinces.csv", 1, None),
    ("cities.csv", 2, "provinceCode"),
    ("areas.csv", 3, "cityCode"),
    ("streets.csv", 4, "areaCode"),
)


def read_regions(directory: Path, year: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for name, level, parent in FILES:
        with (directory / name).open(encoding="utf-8", newline="") as fh:
            for rec in csv.DictReader(fh):
                rows.append(
                    {
                        "code": rec["code"].strip(),
                        "name": rec["name"].strip(),
                        "level": level,
                        "parent_code": rec[parent].strip() if parent else None,
                        "source_year": year,
                    }
                )
    return rows


async def load_regions(
    conn: AsyncConnection,
    directory: Path = DEFAULT_DIR,
    year: int = 2023,
    *,
    only_if_empty: bool = False,
) -> int:
    if only_if_empty and (await conn.execute(select(func.count()).select_from(Region))).scalar():
        return 0
    rows = read_regions(directory, year)
    stmt = insert(Region)
    stmt = stmt.on_conflict_do_update(
        index_elements=[Region.code],
        set_={
            "name": stmt.excluded.name,
            "level": stmt.excluded.level,
            "parent_code": stmt.excluded.parent_code,
            "source_year": stmt.excluded.source_year,
        },
    )
    for start in range(0, len(rows), 5000):
        await conn.execute(stmt, rows[start : start + 5000])
    return len(rows)


async def _main(directory: Path, year: int, only_if_empty: bool) -> None:
    engine = create_async_engine(Settings().database_url)
    async with engine.begin() as conn:
        count = await load_regions(conn, directory, year, only_if_empty=only_if_empty)
        from app.reference.seed import load_reference_data

        await load_reference_data(conn)
    await engine.dispose()
    print(f"regions loaded: {count}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--if-empty", action="store_true", help="skip regions when loaded")
    args = parser.parse_args()
    asyncio.run(_main(args.dir, args.year, args.if_empty))
