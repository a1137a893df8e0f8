"""Seed the criteria catalogue from data/criteria/catalogue.json (idempotent)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncConnection

from app.criteria.schemas import CatalogueImport
from app.criteria.service import load_catalogue

CATALOGUE = Path(__file__).resolve().parents[2] / "data" / "criteria" / "catalogue.json"


async def load_criteria(conn: AsyncConnection, path: Path = CATALOGUE) -> None:
    await load_catalogue(
        conn, CatalogueImport.model_validate(json.loads(await asyncio.to_thread(path.read_text)))
    )
