"""``python -m app.serve``: start the API (the image's command). A start that fails exits
non-zero, so an orchestrator sees the failure instead of a clean exit.

1. ``python -m app.preflight`` runs in a child process: settings refused (production without a
   cursor secret, JWKS or public report key, a malformed value…) or a failing start-up exits 2
   with the reason, before any port is bound.
2. With ``ANJIAN_WORKERS`` > 1, the Prometheus multiprocess directory is made (or emptied) and
   ``PROMETHEUS_MULTIPROC_DIR`` set for the worker processes (``/metrics`` sums over them).
3. uvicorn serves ``app.main:create_app`` on ``ANJIAN_HOST``:``ANJIAN_PORT`` with
   ``ANJIAN_WORKERS`` processes and ``ANJIAN_GRACEFUL_SHUTDOWN_SECONDS`` for in-flight requests
   after SIGTERM; uvicorn's own access log is off (the service writes one JSON line per request)
   and so is its ``Server`` header; log lines are JSON. ``FORWARDED_ALLOW_IPS`` (uvicorn's) names
   the proxies whose ``X-Forwarded-*`` headers are believed.
4. uvicorn's multi-process supervisor exits 0 when a worker fails during start-up; here that
   exits 3 (uvicorn's own code for a failed start of a single process).

The supervising process imports neither the application nor prometheus-client.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from app.config import Settings
from app.core.logs import configure_logging, event

APP = "app.main:create_app"
EXIT_REFUSED = 2
EXIT_STARTUP_FAILED = STARTUP_FAILURE  # 3
log = logging.getLogger("anjian.serve")


def prepare_metrics_dir(workers: int) -> None:
    """Several processes: their metrics go to one directory, emptied at each start."""
    if workers < 2:
        return
    directory = Path(
        os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        or Path(tempfile.gettempdir()) / "anjian-prometheus"
    )
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)


def serve(settings: Settings, app: str = APP) -> int:
    """Run uvicorn until it stops; 0 after a clean stop, 3 if a process failed to start."""
    configure_logging(settings.log_level)
    config = uvicorn.Config(
        app,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        lifespan="on",
        timeout_graceful_shutdown=settings.graceful_shutdown_seconds,
        access_log=False,
        server_header=False,
        log_config=None,
        # A worker must answer the supervisor's ping within this time or it is killed and
        # replaced; uvicorn's 5 s killed workers still importing the app on a busy 2-core node.
        timeout_worker_healthcheck=30,
    )
    if settings.workers > 1:
        supervisor = Multiprocess(config, sockets=[config.bind_socket()])
        supervisor.run()
        failed = [p.pid for p in supervisor.processes if p.exitcode == STARTUP_FAILURE]
        if failed:
            log.error(
                "worker processes %s failed to start",
                failed,
                extra=event("startup_failed", pids=failed),
            )
            return EXIT_STARTUP_FAILED
        return 0
    server = uvicorn.Server(config)
    server.run()
    return 0 if server.started else EXIT_STARTUP_FAILED


def main() -> int:
    configure_logging("INFO")
    checked = subprocess.run([sys.executable, "-m", "app.preflight"], check=False)
    if checked.returncode != 0:
        return checked.returncode
    settings = Settings()
    prepare_metrics_dir(settings.workers)
    return serve(settings)


if __name__ == "__main__":
    sys.exit(main())
