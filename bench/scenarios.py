"""The benchmark's scenarios: wrk Lua scripts for the service and the same reads in raw SQL."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg

from app.core.search import index_grams
from bench.seed import COUNTIES, WORDS

COUNTY = COUNTIES[0]
HAZARD_COLUMNS = (
    "id, code, title, description, cause, enterprise_id, region_code, sector, place, lat, lon, "
    "category, level, criteria_clause_ids, expert_note, treatment_type, source, visit_id, "
    "report_id, found_by_person_id, found_by_name, found_at, reported_by, responsible_person, "
    "responsible_unit, measures, deadline, funds, production_order, status, version, "
    "created_at, updated_at"
)


async def fixtures(dsn: str) -> dict[str, Any]:
    conn = await asyncpg.connect(dsn)
    try:
        ids = [
            str(r[0])
            for r in await conn.fetch("SELECT id FROM hazard TABLESAMPLE SYSTEM (1) LIMIT 5000")
        ]
        if len(ids) < 100:
            ids = [str(r[0]) for r in await conn.fetch("SELECT id FROM hazard LIMIT 5000")]
        rectifying = [
            str(r[0])
            for r in await conn.fetch(
                "SELECT id FROM hazard WHERE status = 'rectifying' AND deleted_at IS NULL "
                "LIMIT 2000"
            )
        ]
        enterprises = [
            (str(r[0]), r[1][0])
            for r in await conn.fetch(
                "SELECT id, sectors FROM enterprise WHERE deleted_at IS NULL LIMIT 2000"
            )
        ]
        stats = await conn.fetchrow(
            "SELECT most_common_elems::text::text[] AS elems, most_common_elem_freqs AS freqs "
            "FROM pg_stats WHERE tablename = 'hazard' AND attname = 'search_ngrams'"
        )
    finally:
        await conn.close()
    random.shuffle(ids)
    frequencies = (
        dict(zip(stats["elems"] or [], stats["freqs"] or [], strict=False)) if stats else {}
    )
    return {
        "ids": ids,
        "rectifying": rectifying,
        "enterprises": enterprises,
        "gram_frequencies": frequencies,
    }


def _lua_list(name: str, values: list[str]) -> str:
    return f"{name} = {{" + ",".join(json.dumps(v, ensure_ascii=False) for v in values) + "}\n"


def _script(workdir: Path, name: str, body: str) -> Path:
    path = workdir / f"{name}.lua"
    path.write_text(body)
    return path


def _auth(token: str) -> str:
    return (
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        "math.randomseed(os.time())\n"
    )


def read_script(workdir: Path, token: str, fx: dict[str, Any]) -> Path:
    return _script(
        workdir,
        "read",
        _auth(token)
        + _lua_list("ids", fx["ids"])
        + """
request = function()
  return wrk.format("GET", "/api/v1/hazards/" .. ids[math.random(#ids)])
end
""",
    )


def page_script(workdir: Path, token: str, fx: dict[str, Any]) -> Path:
    return _script(
        workdir,
        "page",
        _auth(token)
        + f"""
request = function()
  return wrk.format("GET", "/api/v1/hazards?region={COUNTY}&status=rectifying&limit=50")
end
""",
    )


def search_script(workdir: Path, token: str, fx: dict[str, Any]) -> Path:
    words = "{" + ",".join(json.dumps(w, ensure_ascii=False) for w in WORDS) + "}"
    return _script(
        workdir,
        "search",
        _auth(token)
        + f"""
words = {words}
local function urlencode(s)
  return (s:gsub("[^%w]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
request = function()
  local w = urlencode(words[math.random(#words)])
  return wrk.format("GET", "/api/v1/hazards?region={COUNTY}&q=" .. w .. "&limit=50")
end
""",
    )


def create_script(workdir: Path, token: str, fx: dict[str, Any]) -> Path:
    # found long ago: the kept database gains these rows at the far end of the newest-first
    # walks, so later runs' page and search figures stay comparable
    pairs = [f"{{{json.dumps(e)},{json.dumps(s)}}}" for e, s in fx["enterprises"]]
    return _script(
        workdir,
        "create",
        _auth(token)
        + "ents = {"
        + ",".join(pairs)
        + "}\n"
        + """
request = function()
  local e = ents[math.random(#ents)]
  local body = '{"enterprise_id":"' .. e[1] .. '","title":"压测发现配电箱未接地",' ..
    '"description":"现场检查发现","sector":"' .. e[2] .. '","category":"unsafe_condition",' ..
    '"source":"departmental","found_at":"2024-01-02T08:00:00+08:00"}'
  return wrk.format("POST", "/api/v1/hazards", nil, body)
end
""",
    )


def action_script(workdir: Path, token: str, fx: dict[str, Any]) -> Path:
    return _script(
        workdir,
        "action",
        _auth(token)
        + _lua_list("ids", fx["rectifying"])
        + """
request = function()
  return wrk.format("POST", "/api/v1/hazards/" .. ids[math.random(#ids)] .. "/report-progress",
    nil, '{"comment":"本周完成配电箱接地改造的一半"}')
end
""",
    )


def stats_script(workdir: Path, token: str, fx: dict[str, Any]) -> Path:
    groupings = ["region", "sector", "status", "level,status", "month", "source"]
    lua = "{" + ",".join(json.dumps(g) for g in groupings) + "}"
    return _script(
        workdir,
        "stats",
        _auth(token)
        + f"""
groupings = {lua}
request = function()
  local g = groupings[math.random(#groupings)]
  local q = ""
  for dim in string.gmatch(g, "[^,]+") do q = q .. "&group_by=" .. dim end
  return wrk.format("GET", "/api/v1/statistics/hazards?region={COUNTY}" .. q)
end
""",
    )


SERVICE: dict[str, Callable[[Path, str, dict[str, Any]], Path]] = {
    "read": read_script,
    "page": page_script,
    "search": search_script,
    "create": create_script,
    "action": action_script,
    "stats": stats_script,
}


def raw(fx: dict[str, Any]) -> dict[str, tuple[str, Callable[[], tuple[Any, ...]]]]:
    """The same reads as plain SQL (what the service's queries do, minus the framework)."""
    import uuid

    ids = [uuid.UUID(i) for i in fx["ids"]]
    return {
        "read": (
            f"SELECT {HAZARD_COLUMNS} FROM hazard WHERE id = $1 AND deleted_at IS NULL",
            lambda: (random.choice(ids),),
        ),
        "page": (
            f"SELECT {HAZARD_COLUMNS} FROM hazard WHERE county_code = $1 "
            "AND status = 'rectifying' AND deleted_at IS NULL "
            "ORDER BY found_at DESC, id DESC LIMIT 51",
            lambda: (COUNTY,),
        ),
        "search": (
            f"SELECT {HAZARD_COLUMNS} FROM hazard WHERE county_code = $1 "
            "AND deleted_at IS NULL AND search_ngrams @> $2::text[] "
            "AND (title ILIKE $3 OR description ILIKE $3) "
            "ORDER BY found_at DESC, id DESC LIMIT 51",
            lambda: _search_args(COUNTY, fx["gram_frequencies"]),
        ),
    }


def _search_args(county: str, frequencies: dict[str, float]) -> tuple[Any, ...]:
    word = random.choice(WORDS)
    # the n-grams the service sends to the index for this word (app.core.search)
    return (county, index_grams(word, frequencies), f"%{word}%")
