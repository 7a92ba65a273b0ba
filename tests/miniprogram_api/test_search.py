"""/mp/v1/search through HTTP: everyday words, pinyin, traditional, typos, filters, live updates."""

from __future__ import annotations

import asyncio
import time
import urllib.parse
from typing import Any

import pytest
import pytest_asyncio

from cms.content import service as content
from cms.guides.service import import_guide
from cms.guides.spec import SPEC
from server.actor import Actor
from tests.cms.factories import DEPARTMENT_ID, OTHER_DEPARTMENT_ID, create_catalog, guide_content, reviewer
from tests.conftest import StartServer
from tests.support.server import Response, TestServer
from tests.support.staff import signed_in_staff

GUIDES = [
    ("居民身份证办理（包括临时）", ["身份证"], DEPARTMENT_ID),
    ("最低生活保障申请", ["低保"], OTHER_DEPARTMENT_ID),
    ("补领结婚证", [], DEPARTMENT_ID),
    ("残疾人证新办", [], OTHER_DEPARTMENT_ID),
    ("烟草专卖零售许可证新办", [], DEPARTMENT_ID),
    ("残疾人证换领", [], OTHER_DEPARTMENT_ID),
]


async def publish_guide(server: TestServer, name: str, aliases: list[str], department: str, code: str) -> str:
    outcome = await import_guide(server.deps, Actor.system("test"),
                                 guide_content(code=code, name=name, aliases=aliases, department_id=department),
                                 publish=True)
    return outcome.guide_id


@pytest_asyncio.fixture
async def search_server(start_server: StartServer) -> TestServer:
    server = await start_server(search_refresh_seconds=0.1)
    await create_catalog(server.deps)
    for number, (name, aliases, department) in enumerate(GUIDES):
        await publish_guide(server, name, aliases, department, f"CODE-{number:03d}")
    return server


async def search(server: TestServer, q: str, **params: Any) -> Response:
    query = urllib.parse.urlencode({"q": q, **params})
    return await server.get(f"/mp/v1/search?{query}")


def names(response: Response) -> list[str]:
    assert response.status == 200, response.body
    return [item["name"] for item in response.json["items"]]


@pytest.mark.asyncio
@pytest.mark.parametrize(("query", "expected"), [
    ("低保", "最低生活保障申请"),
    ("身份证怎么办", "居民身份证办理（包括临时）"),
    ("shenfenzheng", "居民身份证办理（包括临时）"),
    ("sfz", "居民身份证办理（包括临时）"),
    ("補領結婚證", "补领结婚证"),
    ("残急人证", "残疾人证新办"),
    ("烟草专买零售许可", "烟草专卖零售许可证新办"),
    ("深圳结婚证丢了怎么补", "补领结婚证"),
])
async def test_citizens_find_what_they_mean(search_server: TestServer, query: str, expected: str) -> None:
    assert expected in names(await search(search_server, query))[:3]


@pytest.mark.asyncio
async def test_results_carry_highlights_and_department(search_server: TestServer) -> None:
    response = await search(search_server, "结婚证")
    top = response.json["items"][0]
    assert top["name"] == "补领结婚证"
    assert "<em>" in top["highlights"]["name"]
    assert top["department"] == {"id": DEPARTMENT_ID, "name": "区经信局"}


@pytest.mark.asyncio
async def test_filters_and_pagination(search_server: TestServer) -> None:
    both = await search(search_server, "残疾人证")
    assert {"残疾人证新办", "残疾人证换领"} <= set(names(both))
    only_other = await search(search_server, "证", department=OTHER_DEPARTMENT_ID, limit=50)
    assert names(only_other)
    assert all(item["department"]["id"] == OTHER_DEPARTMENT_ID for item in only_other.json["items"])
    first = await search(search_server, "残疾人证", limit=1)
    second = await search(search_server, "残疾人证", limit=1, offset=1)
    assert first.json["total"] == second.json["total"] >= 2
    assert names(first) != names(second)


@pytest.mark.asyncio
@pytest.mark.parametrize(("params", "parameter"), [({"level": "9"}, "level"), ({"visits": "-1"}, "visits"),
                                                    ({"colour": "red"}, "colour"), ({"limit": "500"}, "limit")])
async def test_bad_filters_name_the_parameter(search_server: TestServer, params: dict[str, str],
                                              parameter: str) -> None:
    response = await search(search_server, "证", **params)
    assert response.status == 400
    assert response.json["error"]["parameter"] == parameter


@pytest.mark.asyncio
@pytest.mark.parametrize("query", [
    "证" * 200, "办" * 999, "😀🙏\u200b\u0301ｓｆｚ\x00\x7f", "\ufffd\ufeff", " ", "<script>"])
async def test_long_and_odd_queries_answer_fast(search_server: TestServer, query: str) -> None:
    began = time.perf_counter()
    response = await search(search_server, query)
    assert response.status == 200
    assert time.perf_counter() - began < 1.0


@pytest.mark.asyncio
async def test_publish_and_unpublish_are_searchable_within_a_second(search_server: TestServer) -> None:
    assert names(await search(search_server, "养犬登记")) == []
    guide_id = await publish_guide(search_server, "养犬登记证办理", ["狗证"], DEPARTMENT_ID, "CODE-NEW")
    assert await _within_a_second(search_server, "狗证", lambda found: "养犬登记证办理" in found)
    assert "养犬登记证办理" in names(await search(search_server, "养犬登记"))  # asked before: not answered as then
    await content.unpublish(search_server.deps, SPEC, reviewer(), guide_id)
    assert await _within_a_second(search_server, "狗证", lambda found: "养犬登记证办理" not in found)


async def _within_a_second(server: TestServer, query: str, check: Any) -> bool:
    deadline = time.perf_counter() + 1.0
    while time.perf_counter() < deadline:
        if check(names(await search(server, query))):
            return True
        await asyncio.sleep(0.05)
    return False


@pytest.mark.asyncio
async def test_suggestions_by_prefix_and_pinyin_prefix(search_server: TestServer) -> None:
    by_text = await search_server.get("/mp/v1/search/suggest?q=" + urllib.parse.quote("残疾"))
    assert by_text.status == 200
    assert "残疾人证新办" in by_text.json["suggestions"]
    by_pinyin = await search_server.get("/mp/v1/search/suggest?q=canji")
    assert any(s.startswith("残疾") for s in by_pinyin.json["suggestions"])


@pytest.mark.asyncio
async def test_no_result_queries_reach_the_editors_and_hot_searches_show_found_ones(
        search_server: TestServer) -> None:
    for _ in range(3):
        await search(search_server, "低保")
    await search(search_server, "火星移民签证")
    await search_server.deps.search.flush(search_server.deps)
    editor = await signed_in_staff(search_server, "care", roles=["editor"])
    missing = await editor.get("/staff/v1/search/queries?kind=no_result")
    assert missing.status == 200
    assert [row["query"] for row in missing.json["items"]] == ["火星移民签证"]
    top = await editor.get("/staff/v1/search/queries?kind=top")
    assert top.json["items"][0] == {**top.json["items"][0], "query": "低保", "count": 3, "no_result_count": 0}
    hot = await search_server.get("/mp/v1/search/hot")
    assert hot.json["queries"][0] == "低保"
    assert "火星移民签证" not in hot.json["queries"]
    # A later flush adds to what is stored; the same words typed differently count as one query.
    await search(search_server, "低保")
    await search(search_server, " 低保\u3000")
    await search(search_server, "火星移民签证")
    await search_server.deps.search.flush(search_server.deps)
    top = await editor.get("/staff/v1/search/queries?kind=top")
    counted = {row["query"]: (row["count"], row["no_result_count"]) for row in top.json["items"]}
    assert counted == {"低保": (5, 0), "火星移民签证": (2, 2)}


@pytest.mark.asyncio
async def test_editor_synonyms_take_effect_without_a_restart(search_server: TestServer) -> None:
    assert "烟草专卖零售许可证新办" not in names(await search(search_server, "红塔山"))
    editor = await signed_in_staff(search_server, "syn", roles=["editor"])
    created = await editor.post("/staff/v1/search/synonyms", json={"terms": ["红塔山", "烟草专卖零售许可证"]})
    assert created.status == 201
    assert await _within_a_second(search_server, "红塔山", lambda found: "烟草专卖零售许可证新办" in found)
    listed = await editor.get("/staff/v1/search/synonyms")
    assert [g["terms"] for g in listed.json["items"]] == [["红塔山", "烟草专卖零售许可证"]]
    removed = await editor.request("DELETE", f"/staff/v1/search/synonyms/{created.json['id']}")
    assert removed.status == 204
    again = await editor.request("DELETE", f"/staff/v1/search/synonyms/{created.json['id']}")
    assert (again.status, again.error_code) == (404, "synonym_not_found")
