"""``python -m app.criteria.importer FILE``: load a criteria catalogue file (same format)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from sqlalchemy.ext.asyncio import create_async_engine

from app.config import Settings
from app.criteria.seed import load_criteria


async def _main(path: Path) -> None:
    engine = create_async_engine(Settings().database_url)
    async with engine.begin() as conn:
        await load_criteria(conn, path)
    await engine.dispose()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m app.criteria.importer FILE")
    asyncio.run(_main(Path(sys.argv[1])))
