"""/mp/v1/search: find a service item by everyday words, pinyin, traditional characters or with typos."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from cms.guides.delivery import FILTER_QUERY
from cms.search.models import SearchResult
from cms.search.service import MAX_QUERY_CHARS, GuideCard
from server import jsonutil
from server.http.api import Route, array, boolean, endpoint, integer, nullable, number_schema, obj, string
from server.http.base import BaseHandler
from server.settings import Settings

_TAGS = ["mp-search"]

HIT = obj({
    "id": string(),
    "name": string(),
    "department": obj({"id": string(), "name": string()}, required=["id", "name"]),
    "item_type": string(),
    "online_depth": nullable(integer()),
    "visits_required": nullable(integer()),
    "payment_online": boolean(),
    "score": number_schema(),
    "highlights": obj({}, additional=True, description="Field -> HTML-escaped text with <em> around matches"),
}, required=["id", "name", "department", "item_type", "score", "highlights"])

# Filters use the guide list's parameter names and values; ``visits`` means "at most".
_FILTER_FIELDS = {"department": "department", "theme": "themes", "level": "level", "item_type": "item_type",
                  "service_object": "service_objects", "online_depth": "online_depth",
                  "payment_online": "payment_online"}


def index_filters(query: dict[str, Any]) -> dict[str, Any]:
    filters = {field: query[name] for name, field in _FILTER_FIELDS.items() if query.get(name) is not None}
    if query.get("visits") is not None:
        filters["visits"] = list(range(query["visits"] + 1))
    return filters


class SearchHandler(BaseHandler):
    @endpoint("Search live guides", tags=_TAGS,
              query={"q": string(maxLength=1000, description=f"Words as typed; only the first {MAX_QUERY_CHARS} "
                                                              "characters are used"),
                     **FILTER_QUERY,
                     "offset": integer(minimum=0, maximum=1000, default=0),
                     "limit": integer(minimum=1, maximum=50, default=10)},
              required_query=("q",),
              responses={200: obj({"query": string(), "items": array(HIT), "total": integer(minimum=0),
                                   "offset": integer(), "limit": integer()},
                                  required=["query", "items", "total", "offset", "limit"])},
              description="Ranked by name, then alias, materials and department, with applications as a small "
                          "prior. Queries with no result are logged for editors.")
    async def get(self) -> None:
        search = self.deps.search
        await search.ready(self.deps)
        query, offset, limit = self.query["q"][:MAX_QUERY_CHARS], self.query["offset"], self.query["limit"]
        result = search.search(query, filters=index_filters(self.query), offset=offset, limit=limit)
        self.write_json_bytes(search.rendered(result, partial(_render, search.cards, query, offset, limit)))


def _render(cards: Mapping[str, GuideCard], query: str, offset: int, limit: int, result: SearchResult) -> bytes:
    items = []
    for hit in result.hits:
        card = cards.get(hit.doc_id)
        if card is None:
            continue
        items.append({"id": card.id, "name": card.name,
                      "department": {"id": card.department_id, "name": card.department},
                      "item_type": card.item_type, "online_depth": card.online_depth,
                      "visits_required": card.visits_required, "payment_online": card.payment_online,
                      "score": round(hit.score, 4), "highlights": dict(hit.highlights)})
    return jsonutil.dumps({"query": query, "items": items, "total": result.total, "offset": offset, "limit": limit})


class SuggestHandler(BaseHandler):
    @endpoint("Suggestions as the citizen types (prefix, pinyin prefix)", tags=_TAGS,
              query={"q": string(maxLength=1000), "limit": integer(minimum=1, maximum=20, default=8)},
              required_query=("q",),
              responses={200: obj({"suggestions": array(string())}, required=["suggestions"])})
    async def get(self) -> None:
        await self.deps.search.ready(self.deps)
        self.write_json({"suggestions": self.deps.search.suggest(self.query["q"], self.query["limit"])})


class HotHandler(BaseHandler):
    @endpoint("Frequent searches that find something (热门搜索)", tags=_TAGS,
              query={"limit": integer(minimum=1, maximum=20, default=10)},
              responses={200: obj({"queries": array(string())}, required=["queries"])})
    async def get(self) -> None:
        self.write_json({"queries": await self.deps.search.hot(self.deps, self.query["limit"])})


def routes(settings: Settings) -> list[Route]:
    return [Route("/mp/v1/search", SearchHandler), Route("/mp/v1/search/suggest", SuggestHandler),
            Route("/mp/v1/search/hot", HotHandler)]
