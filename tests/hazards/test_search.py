"""Text search picks its index condition from the column statistics; the answer never changes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.search import index_grams, query_grams
from app.hazards.repository import SEARCH_GRAMS
from tests.factories import COUNTY
from tests.hazards.builders import World


def test_frequent_terms_keep_only_their_rarest_pair() -> None:
    frequencies = {"配电": 0.2, "电箱": 0.05, "未接": 0.001}
    assert index_grams("配电箱", frequencies) == ["电箱"]  # common: rarest pair, honest estimate
    assert index_grams("配电箱", {}) == query_grams("配电箱")  # no statistics: every pair
    assert index_grams("电箱未接", frequencies) == query_grams("电箱未接")  # has a rare pair
    assert index_grams("箱", frequencies) == ["箱"]


async def test_search_answers_the_same_with_statistics(
    world: World, connection: AsyncConnection
) -> None:
    common = [await world.hazard(title=f"灭火器过期{i}") for i in range(12)]
    described = await world.hazard(title="仓库检查", description="三楼灭火器压力不足")
    other = await world.hazard(title="配电箱未接地")

    async def search(q: str, **params: Any) -> list[str]:
        found: list[str] = []
        cursor: str | None = None
        while True:
            query = {"q": q, "region": COUNTY, "limit": 5, **params}
            if cursor:
                query["cursor"] = cursor
            r = await world.client.get("/api/v1/hazards", params=query, headers=world.admin)
            assert r.status_code == 200, r.text
            found += [h["id"] for h in r.json()["items"]]
            cursor = r.json()["next_cursor"]
            if cursor is None:
                return found

    expected = {h["id"] for h in common} | {described["id"]}
    before = await search("灭火器")
    # Now the statistics say 灭火/火器 are in most rows: the search takes one pair to the index.
    await connection.execute(text("ANALYZE hazard"))
    SEARCH_GRAMS.forget()
    try:
        frequencies = await _frequencies(connection)
        assert index_grams("灭火器", frequencies) != query_grams("灭火器")
        after = await search("灭火器")
        assert set(before) == set(after) == expected
        assert len(after) == len(expected)  # keyset pages neither repeat nor skip
        assert await search("配电箱") == [other["id"]]
        assert await search("灭火器过期3") == [common[3]["id"]]
        assert await search("灭火箱") == []
    finally:
        SEARCH_GRAMS.forget()


async def _frequencies(connection: AsyncConnection) -> dict[str, float]:
    row = (
        await connection.execute(
            text(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                "WHERE tablename = 'hazard' AND attname = 'search_ngrams'"
            )
        )
    ).one()
    return dict(zip(row[0], row[1], strict=False))
