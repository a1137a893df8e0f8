"""Delta-sync lag under load: commit-to-receipt time for followers polling every second while
writers create enterprises as fast as the service takes them.

    make bench-sync      (python -m bench.run --only sync [--sync-writers 16] [--sync-duration 20])
    make bench           (the last stage of the full benchmark)

A writer's create is committed before its 201 is sent, so the 201's arrival is the commit time
(an upper bound: lag is if anything under-stated by one response's travel). One follower reads
``GET /api/v1/enterprises?changed_since=…`` and one ``GET /api/v1/events?after=…``, each once a
second (all pages until empty); for every created row (event) the lag is receipt − commit. After
the writers stop, the followers go on until they have everything (or 15 s pass). Prints and
returns p50 / p99 / max per follower, rows written, rows missed and rows re-sent (both should be
0; the property tests in tests/core/test_sync_property.py prove the cursor never runs back).
The service runs with 2 workers, like the rest of the benchmark.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import statistics
import time
from collections import Counter
from typing import Any

import httpx

from tests.uscc_reference import random_uscc

# Its own generator: bench.run seeds the random module, and a run must not repeat the codes of the
# last run in the same database (each repeat is a refused write).
_CODES = random.Random()

DRAIN_S = 15.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Run:
    def __init__(self) -> None:
        self.committed: dict[str, float] = {}  # enterprise id → commit time
        self.errors: Counter[str] = Counter()  # refused writes by status (or "network")
        self.done = False


async def writer(http: httpx.AsyncClient, run: Run, n: int, until: float) -> None:
    serial = itertools.count()
    while time.monotonic() < until:
        body = {
            "uscc": random_uscc("330106", _CODES),
            "name": f"同步压测单位{n}-{next(serial)}",
            "kind": "enterprise",
            "region_code": "330106002",
            "sectors": ["hazchem"],
        }
        try:
            r = await http.post("/api/v1/enterprises", json=body)
        except httpx.HTTPError:
            run.errors["network"] += 1
            continue
        if r.status_code == 201:
            run.committed[r.json()["id"]] = time.monotonic()
        else:
            run.errors[f"{r.status_code} {r.json().get('code', '')}".strip()] += 1


class Follower:
    def __init__(self, name: str, path: str, param: str, key: Any) -> None:
        self.name, self.path, self.param, self.key = name, path, param, key
        self.received: dict[str, float] = {}
        self.resent = 0
        self.cursor = "0"

    async def poll(self, http: httpx.AsyncClient) -> None:
        while True:
            r = await http.get(self.path, params={self.param: self.cursor, "limit": 200})
            r.raise_for_status()
            body = r.json()
            now = time.monotonic()
            for item in body["items"]:
                key = self.key(item)
                if key is None:
                    continue
                if key in self.received:
                    self.resent += 1
                self.received.setdefault(key, now)
            self.cursor = body["next_cursor"]
            if not body["items"]:
                return


async def follow(http: httpx.AsyncClient, follower: Follower, run: Run, interval: float) -> None:
    while True:
        started = time.monotonic()
        await follower.poll(http)
        if run.done and set(run.committed) <= set(follower.received):
            return
        await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))


def _event_key(event: dict[str, Any]) -> str | None:
    if event["type"] != "gov.anjian.enterprise.created":
        return None
    return str(event["subject"]).removeprefix("enterprise/")


def _summary(follower: Follower, run: Run) -> dict[str, Any]:
    lags = [follower.received[k] - t for k, t in run.committed.items() if k in follower.received]
    return {
        "received": len(lags),
        "missed": len(run.committed) - len(lags),
        "resent": follower.resent,
        "p50_s": round(percentile(lags, 0.50), 3),
        "p99_s": round(percentile(lags, 0.99), 3),
        "max_s": round(max(lags), 3) if lags else None,
        "mean_s": round(statistics.fmean(lags), 3) if lags else None,
    }


async def measure(
    base_url: str, token: str, writers: int, duration: float, poll: float
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=writers + 4)
    run = Run()
    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, limits=limits, timeout=30
    ) as http:
        rows = Follower("rows", "/api/v1/enterprises", "changed_since", lambda i: i["id"])
        events = Follower("events", "/api/v1/events", "after", _event_key)
        # both start at the present: read up to now first
        await rows.poll(http)
        await events.poll(http)
        followers = [asyncio.create_task(follow(http, f, run, poll)) for f in (rows, events)]
        until = time.monotonic() + duration
        await asyncio.gather(*(writer(http, run, n, until) for n in range(writers)))
        run.done = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*followers), DRAIN_S)
    result = {
        "writers": writers,
        "duration_s": duration,
        "poll_interval_s": poll,
        "writes": len(run.committed),
        "writes_per_s": round(len(run.committed) / duration, 1),
        "write_errors": dict(run.errors),
        "rows": _summary(rows, run),
        "events": _summary(events, run),
    }
    print(f"  sync lag {json.dumps(result)}", flush=True)
    return result
