"""``python -m app.healthcheck [api|worker]``: the image's HEALTHCHECK (exit 0 healthy, 1 not).

- ``api``: ``GET /healthz`` on this host's ``ANJIAN_PORT`` answers 200 within 4 seconds.
- ``worker``: the heartbeat file (``ANJIAN_WORKER_HEARTBEAT_FILE``), touched by the worker's
  event loop every few seconds, is younger than ``ANJIAN_WORKER_HEARTBEAT_MAX_AGE_SECONDS``.

Without an argument the role is the worker's when its heartbeat file exists (a worker writes it
as it starts; an API container never does), else the API's. Whether the work keeps up is not a
health question: the metrics tell (``anjian_worker_job_lag_seconds``, the webhook backlog).
"""

from __future__ import annotations

import sys
import time
import urllib.request

from app.config import Settings

_LOCAL = {"0.0.0.0", "::", "", "localhost"}  # noqa: S104 - addresses to map to loopback


def api_healthy(settings: Settings) -> bool:
    host = "127.0.0.1" if settings.host in _LOCAL else settings.host
    url = f"http://{host}:{settings.port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=4) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def worker_healthy(settings: Settings) -> bool:
    try:
        age = time.time() - settings.worker_heartbeat_file.stat().st_mtime
    except OSError:
        return False
    return age < settings.worker_heartbeat_max_age_seconds


def main(argv: list[str]) -> int:
    settings = Settings()
    role = argv[0] if argv else None
    if role is None:
        role = "worker" if settings.worker_heartbeat_file.exists() else "api"
    if role not in ("api", "worker"):
        print("usage: python -m app.healthcheck [api|worker]", file=sys.stderr)
        return 2
    healthy = worker_healthy(settings) if role == "worker" else api_healthy(settings)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
