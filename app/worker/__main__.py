"""``python -m app.worker``: run the worker until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import logging

from app.config import get_settings
from app.worker.runner import main

if __name__ == "__main__":
    settings = get_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(main(settings))
