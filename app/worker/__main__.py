"""``python -m app.worker``: run the worker until SIGTERM or SIGINT. Log lines are JSON, the
same shape as the API's (``app.core.logs``)."""

from __future__ import annotations

import asyncio

from app.config import get_settings
from app.core.logs import configure_logging
from app.worker.runner import main

if __name__ == "__main__":
    settings = get_settings()
    configure_logging(settings.log_level)
    asyncio.run(main(settings))
