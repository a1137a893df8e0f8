"""CPU cost of the metrics hook per request: ``python -m bench.metrics_cost [--requests N]``.

Serves ``GET /healthz`` (the cheapest route, so the hook's share is the largest it can be)
through the whole middleware stack in this process (httpx over ASGI: no sockets, no uvicorn,
no database) and reads the process CPU time, alternating rounds with the hook on and replaced
by a no-op. Then the hook alone (``observe_request``) by timeit. Run it twice: as is (one
process, in-memory values) and with ``PROMETHEUS_MULTIPROC_DIR=<empty dir>`` (the values of
several uvicorn workers, in memory-mapped files), which must be set before the import.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import timeit

import httpx

from app.config import Settings
from app.core import metrics, middleware
from app.main import create_app


async def _round(client: httpx.AsyncClient, requests: int) -> float:
    started = time.process_time()
    for _ in range(requests):
        response = await client.get("/healthz")
        assert response.status_code == 200
    return (time.process_time() - started) / requests


async def _measure(requests: int, rounds: int) -> dict[str, float]:
    app = create_app(Settings(environment="test", log_level="WARNING"))
    real = metrics.observe_request

    def noop(method: str, route: str | None, status: int, seconds: float) -> None:
        return None

    per: dict[str, list[float]] = {"on": [], "off": []}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        await _round(client, 200)  # warm up
        for _ in range(rounds):
            for mode in ("on", "off"):
                middleware.metrics.observe_request = real if mode == "on" else noop  # type: ignore[assignment]
                per[mode].append(await _round(client, requests))
    middleware.metrics.observe_request = real  # type: ignore[assignment]
    return {mode: sorted(values)[len(values) // 2] for mode, values in per.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    mode = "multiprocess" if metrics.MULTIPROCESS else "single process"
    median = asyncio.run(_measure(args.requests, args.rounds))
    hook = (
        min(
            timeit.repeat(
                lambda: metrics.observe_request("GET", "/healthz", 200, 0.001),
                number=20000,
                repeat=5,
            )
        )
        / 20000
    )
    print(f"metrics mode: {mode} (pid {os.getpid()})")
    print(
        f"GET /healthz CPU per request, hook on:  {median['on'] * 1e6:8.1f} µs (median of rounds)"
    )
    print(f"GET /healthz CPU per request, hook off: {median['off'] * 1e6:8.1f} µs")
    print(f"difference:                             {(median['on'] - median['off']) * 1e6:8.1f} µs")
    print(f"observe_request alone (CPU, best):       {hook * 1e6:8.2f} µs")


if __name__ == "__main__":
    main()
