"""Readiness: the database answers and is migrated to the head revision."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

_ROOT = Path(__file__).resolve().parents[2]


def head_revisions() -> set[str]:
    config = Config(str(_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(_ROOT / "migrations"))
    return set(ScriptDirectory.from_config(config).get_heads())


async def readiness(sessionmaker: async_sessionmaker[AsyncSession]) -> tuple[bool, str | None]:
    try:
        async with sessionmaker() as session:
            rows = (await session.execute(text("SELECT version_num FROM alembic_version"))).all()
    except (SQLAlchemyError, OSError) as exc:
        return False, f"database unavailable: {type(exc).__name__}"
    current = {r[0] for r in rows}
    if current != head_revisions():
        return False, f"schema at {sorted(current)}, expected {sorted(head_revisions())}"
    return True, None
