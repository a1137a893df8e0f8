"""``python -m app.preflight``: would the API start with these settings? Exit 0 if so, 2 if not.

Reads the settings from the environment as the service does (``ANJIAN_ENVIRONMENT=production``
refuses development secrets: the cursor secret, the JWKS, the public report key…), builds the
application and runs its start-up and shut-down once without serving (every router's start-up
check included; no connection to the database is made). The reason for a refusal is one JSON
log line (``event: startup_refused``) on standard error.

``python -m app.serve`` runs it before binding its port; a platform can also run it on its own
(an init container, a deployment pipeline) to check a configuration.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from fastapi import FastAPI
from pydantic import ValidationError

from app.config import Settings
from app.core.logs import configure_logging, event
from app.main import create_app

EXIT_REFUSED = 2
log = logging.getLogger("anjian.preflight")


async def _start_and_stop(app: FastAPI) -> None:
    async with app.router.lifespan_context(app):
        pass


def _refuse(reason: str) -> int:
    log.error("start-up refused: %s", reason, extra=event("startup_refused", reason=reason))
    return EXIT_REFUSED


def check() -> int:
    configure_logging("INFO")
    try:
        settings = Settings()
    except ValidationError as exc:
        reasons = "; ".join(
            f"{'ANJIAN_' + str(e['loc'][0]).upper() if e['loc'] else 'settings'}: {e['msg']}"
            for e in exc.errors()
        )
        return _refuse(reasons)
    try:
        asyncio.run(_start_and_stop(create_app(settings)))
    except Exception as exc:
        return _refuse(f"{type(exc).__name__}: {exc}")
    return 0


if __name__ == "__main__":
    sys.exit(check())
