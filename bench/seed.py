"""Seed a realistic benchmark data set straight in SQL (generate_series; minutes, not hours).

3 counties × 20 towns, N enterprises over all sectors, M hazards in every state, with deadlines
spread around today so some are overdue. Rows go through the same triggers as the API's.
"""

from __future__ import annotations

import asyncpg

COUNTIES = ("330106", "330105", "330108")  # 杭州 西湖 / 拱墅 / 滨江

SECTORS = [
    "school",
    "fire",
    "coal",
    "hazchem",
    "fireworks",
    "road",
    "construction",
    "gas",
    "industry_trade",
    "other",
]
STATUSES = [
    "reported",
    "registered",
    "planning",
    "rectifying",
    "extension_requested",
    "pending_verification",
    "escalated",
    "closed",
    "closed",
    "closed",
    "cancelled",
]
WORDS = [
    "配电箱",
    "消防通道",
    "灭火器",
    "安全出口",
    "脚手架",
    "有限空间",
    "储罐",
    "液氨",
    "粉尘",
    "燃气管道",
    "校车",
    "护栏",
    "应急照明",
    "特种作业",
    "防爆电气",
    "泄漏报警",
]


# Every column the statistics count (region, sector, level, source, found, deadline, status,
# closed) and the rest a hazard needs, for row number ``i`` of enterprise ``e``: shared with the
# 10M load of bench/stats.py, so both sizes have one distribution.
COUNTED_COLUMNS = (
    "enterprise_id, region_code, sectors, sector, category, level, treatment_type, source, "
    "found_at, reported_by, reported_by_role, deadline, production_order, status, "
    "criteria_clause_ids, assigned_expert_ids, escalation_measures, version, created_at, "
    "updated_at, closed_at, lat, lon"
)


def counted_values(statuses: str) -> str:
    """The values of ``COUNTED_COLUMNS``; ``statuses`` is the SQL parameter holding STATUSES."""
    return f"""e.id, e.region_code, e.sectors, e.sectors[1],
       (ARRAY['unsafe_act','unsafe_condition','management_defect','environment'])[1 + i % 4],
       CASE WHEN i % 20 = 0 THEN 'major' ELSE 'general' END,
       CASE WHEN i % 3 = 0 THEN 'immediate' ELSE 'by_deadline' END,
       (ARRAY['self_inspection','departmental','joint','supervisory','unannounced',
              'look_back','public_report','other'])[1 + i % 8],
       now() - ((i % 400) || ' days')::interval, 'bench', 'inspector',
       (now() + (((i % 120) - 60) || ' days')::interval)::date, 'none',
       ({statuses})[1 + i % 11], '{{}}', '{{}}', '{{}}', 1, now(), now(),
       CASE WHEN ({statuses})[1 + i % 11] = 'closed' THEN now() END,
       30.2 + (i % 1000) / 10000.0, 120.1 + (i / 1000 % 100) / 1000.0"""


async def towns(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch(
        "SELECT code FROM region WHERE parent_code = ANY($1::text[]) ORDER BY code", list(COUNTIES)
    )
    by_county: dict[str, list[str]] = {}
    for r in rows:
        by_county.setdefault(r["code"][:6], []).append(r["code"])
    return [t for c in COUNTIES for t in by_county.get(c, [])[:20]]


async def seed(conn: asyncpg.Connection, enterprises: int, hazards: int) -> None:
    town_codes = await towns(conn)
    await conn.execute("SET synchronous_commit = off")
    await conn.execute(
        """
        INSERT INTO enterprise (id, uscc, name, kind, region_code, address, lat, lon, sectors,
                                licences, status, risk_grade, version, created_at, updated_at)
        SELECT gen_random_uuid(), 'B' || lpad(i::text, 17, '0'), '企业' || i || '号有限公司',
               'enterprise', ($1::text[])[1 + i % array_length($1::text[], 1)], '某路' || i || '号',
               30.2 + (i % 1000) / 10000.0, 120.1 + (i / 1000 % 100) / 1000.0,
               ARRAY[($2::text[])[1 + i % 10]], '[]'::jsonb, 'operating',
               (ARRAY['red','orange','yellow','blue'])[1 + i % 4], 1, now(), now()
        FROM generate_series(1, $3) AS i
        """,
        town_codes,
        SECTORS,
        enterprises,
    )
    await conn.execute(
        """
        CREATE TEMP TABLE bench_ent AS
        SELECT row_number() OVER (ORDER BY id) AS n, id, region_code, sectors
        FROM enterprise WHERE uscc LIKE 'B%'
        """
    )
    batch = 200_000
    for start in range(0, hazards, batch):
        count = min(batch, hazards - start)
        await conn.execute(
            f"""
            INSERT INTO hazard (id, code, title, description, {COUNTED_COLUMNS})
            SELECT gen_random_uuid(),
                   left(e.region_code, 6) || '-2026-' || lpad((($5 + i))::text, 7, '0'),
                   ($3::text[])[1 + i % 16] || '存在隐患' || i,
                   '检查发现' || ($3::text[])[1 + (i / 16) % 16] || '不符合要求，需整改',
                   {counted_values("$4::text[]")}
            FROM generate_series(1, $2) AS i
            JOIN bench_ent e ON e.n = 1 + (($5 + i) % $1)
            """,
            enterprises,
            count,
            WORDS,
            STATUSES,
            start,
        )
    await conn.execute("ANALYZE")
