"""Mixed writes at 64 connections: every answer counted by status (``--only writes``).

    python -m bench.run --only writes [--duration 20] [--connections 64]

The service (2 uvicorn workers) on a database of its own, seeded with enterprises in the
towns of one county. Each connection loops over a mix like a county's working day, all in the
same towns and months (the statistics keys they share):

- 30 % create a hazard (one in five with a client-chosen id sent twice at once: 201 + 200);
- 10 % create with an Idempotency-Key sent twice at once (201 + replay, or 409 in flight);
- 60 % the next lifecycle step of a hazard some connection created (register general or
  major, order rectification, report progress), half of them with the version last seen
  (``If-Match``): connections race for the same hazards, so a 409 (step already taken) or a
  412 (changed meanwhile) is expected, anything else is not.

Pass rule: no status outside 2xx, 409 and 412. Prints the counts by status and code, req/s,
p50/p99, and the statistics deltas the worker would fold (folded at the end).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx

COUNTY = "330106"
EXPECTED = {409, 412}


@dataclass
class Known:
    status: str
    version: int
    level: str | None = None


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    codes: Counter[tuple[int, str]] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    samples: dict[int, str] = field(default_factory=dict)

    def record(self, response: httpx.Response, started: float) -> None:
        self.latencies.append((time.perf_counter() - started) * 1000)
        self.statuses[response.status_code] += 1
        if response.status_code >= 300:
            code = ""
            if response.headers.get("content-type", "").endswith("json"):
                code = str(response.json().get("code", ""))
            self.codes[(response.status_code, code)] += 1
            self.samples.setdefault(response.status_code, response.text[:300])


async def seed(dsn: str, enterprises: int) -> list[tuple[str, str, str]]:
    """Enterprises (id, town, sector) of the county, written straight in SQL."""
    conn = await asyncpg.connect(dsn)
    try:
        towns = [
            r[0]
            for r in await conn.fetch(
                "SELECT code FROM region WHERE parent_code = $1 ORDER BY code LIMIT 4", COUNTY
            )
        ]
        rows = []
        for n in range(enterprises):
            sector = random.choice(["hazchem", "industry_trade"])
            rows.append((uuid.uuid4(), f"91{COUNTY}BW{n:08d}", towns[n % len(towns)], sector))
        await conn.executemany(
            "INSERT INTO enterprise (id, uscc, name, kind, region_code, sectors, licences, "
            "status, version, created_at, updated_at) VALUES ($1, $2, '压测写入单位', "
            "'enterprise', $3, ARRAY[$4], '[]', 'operating', 1, now(), now())",
            rows,
        )
        return [(str(r[0]), r[2], r[3]) for r in rows]
    finally:
        await conn.close()


class Load:
    def __init__(self, client: httpx.AsyncClient, enterprises: list[tuple[str, str, str]]) -> None:
        self.client = client
        self.enterprises = enterprises
        self.known: dict[str, Known] = {}
        self.tally = Tally()
        self.deadline = (date.today() + timedelta(days=30)).isoformat()

    async def post(self, path: str, body: dict[str, Any], **headers: str) -> httpx.Response:
        started = time.perf_counter()
        response = await self.client.post(path, json=body, headers=headers)
        self.tally.record(response, started)
        return response

    def hazard_body(self) -> dict[str, Any]:
        enterprise_id, _, sector = random.choice(self.enterprises)
        return {
            "enterprise_id": enterprise_id,
            "title": "压测发现配电箱未接地",
            "description": "现场检查发现",
            "sector": sector,
            "category": "unsafe_condition",
            "source": random.choice(["departmental", "self_inspection"]),
        }

    def learn(self, response: httpx.Response) -> None:
        if response.status_code in (200, 201):
            body = response.json()
            self.known[body["id"]] = Known(body["status"], body["version"], body["level"])

    async def create(self) -> None:
        body = self.hazard_body()
        if random.random() < 0.2:  # an offline client's id, sent twice (a retry on a bad line)
            body["id"] = str(uuid.uuid4())
            answers = await asyncio.gather(*(self.post("/api/v1/hazards", body) for _ in "12"))
        else:
            answers = [await self.post("/api/v1/hazards", body)]
        for answer in answers:
            self.learn(answer)

    async def create_idempotent(self) -> None:
        body, key = self.hazard_body(), f"bench-{uuid.uuid4()}"
        answers = await asyncio.gather(
            *(self.post("/api/v1/hazards", body, **{"Idempotency-Key": key}) for _ in "12")
        )
        for answer in answers:
            self.learn(answer)

    async def step(self) -> None:
        if not self.known:
            await self.create()
            return
        hazard_id = random.choice(list(self.known))
        known = self.known[hazard_id]
        headers = {"If-Match": f'"{known.version}"'} if random.random() < 0.5 else {}
        if known.status == "reported":
            action, body = (
                "register",
                random.choice(
                    [
                        {"level": "general", "treatment_type": "by_deadline"},
                        {"level": "major", "expert_note": "专家认定为重大隐患"},
                    ]
                ),
            )
        elif known.status == "registered" and known.level == "general":
            action, body = (
                "order-rectification",
                {
                    "responsible_person": {"name": "张三", "phone": "13812345678"},
                    "deadline": self.deadline,
                    "measures": "更换接地线并检测",
                    "order_document_number": "西应急责改〔2026〕12号",
                },
            )
        elif known.status == "rectifying":
            action, body = "report-progress", {"comment": "本周完成配电箱接地改造的一半"}
        else:
            self.known.pop(hazard_id, None)  # nothing more this bench does with it
            return
        self.learn(await self.post(f"/api/v1/hazards/{hazard_id}/{action}", body, **headers))

    async def connection(self, stop_at: float) -> None:
        while time.perf_counter() < stop_at:
            roll = random.random()
            if roll < 0.3:
                await self.create()
            elif roll < 0.4:
                await self.create_idempotent()
            else:
                await self.step()


async def run(
    base_url: str, token: str, dsn: str, duration: int, connections: int
) -> dict[str, Any]:
    enterprises = await seed(dsn, 200)
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(
        base_url=base_url,
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
        limits=limits,
        timeout=30,
    ) as client:
        load = Load(client, enterprises)
        started = time.perf_counter()
        stop_at = started + duration
        await asyncio.gather(*(load.connection(stop_at) for _ in range(connections)))
        elapsed = time.perf_counter() - started
    conn = await asyncpg.connect(dsn)
    try:
        pending = await conn.fetchval("SELECT count(*) FROM hazard_rollup_delta")
        folded = await conn.fetchval("SELECT anjian_hazard_rollup_fold()")
    finally:
        await conn.close()
    tally = load.tally
    latencies = sorted(tally.latencies)
    unexpected = {s: n for s, n in tally.statuses.items() if not (200 <= s < 300 or s in EXPECTED)}
    return {
        "connections": connections,
        "duration_s": round(elapsed, 1),
        "requests": len(latencies),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else 0.0,
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 1) if latencies else 0.0,
        "by_status": dict(sorted(tally.statuses.items())),
        "non_2xx_by_code": {f"{s} {c}": n for (s, c), n in sorted(tally.codes.items())},
        "unexpected": unexpected,
        "unexpected_samples": {s: tally.samples[s] for s in unexpected},
        "rollup_deltas_pending": pending,
        "rollup_deltas_folded": folded,
    }


def report(result: dict[str, Any]) -> None:
    print(
        f"\nmixed writes — {result['connections']} connections, {result['duration_s']} s: "
        f"{result['requests']} requests, {result['rps']} req/s, p50 {result['p50_ms']} ms, "
        f"p99 {result['p99_ms']} ms"
    )
    print(f"  by status: {result['by_status']}")
    for name, count in result["non_2xx_by_code"].items():
        print(f"  {name:40s} {count}")
    print(
        f"  statistics deltas pending at the end: {result['rollup_deltas_pending']} "
        f"(folded: {result['rollup_deltas_folded']})"
    )
    verdict = "PASS" if not result["unexpected"] else f"FAIL {result['unexpected']}"
    print(f"  non-2xx other than 409/412: {sum(result['unexpected'].values())} — {verdict}")
    for status, sample in result["unexpected_samples"].items():
        print(f"    {status}: {sample}")
