"""Search in a web process: an in-memory index over the live guides, kept current from MongoDB.

Every process polls the guides' live counter (SEARCH_REFRESH_SECONDS, default 0.5 s), so a publish or
unpublish is searchable, or gone, within a second in every process without a restart. Synonyms edited
in the console and department or theme renames are picked up the same way. Queries are counted in
memory and added to the query log every few seconds, so logging costs the request nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cms.catalog_lists.service import DEPARTMENTS, THEMES, names
from cms.content.delivery import catalog_version
from cms.guides.search_export import search_document
from cms.guides.service import live_guides_changed_since
from cms.search import repository
from cms.search.index import SearchIndex
from cms.search.models import SearchResult
from cms.search.vocabulary import SynonymRules, seed_synonyms

if TYPE_CHECKING:
    from server.deps import Deps

log = logging.getLogger("yiwang.search")

# Longer input is cut: nobody types more, and the engine's cost grows with the query.
MAX_QUERY_CHARS = 200
_LOGGED_QUERY_CHARS = 50
_FLUSH_SECONDS = 5.0
_HOT_CACHE_SECONDS = 60.0
_RENDERED_PAGES = 2048


@dataclass(frozen=True)
class GuideCard:
    """What a search result shows of a guide, kept beside the index."""

    id: str
    name: str
    department_id: str
    department: str
    item_type: str
    online_depth: int | None
    visits_required: int | None
    payment_online: bool


def normalise_logged_query(query: str) -> str:
    text = unicodedata.normalize("NFKC", query)
    return " ".join("".join(ch for ch in text if ch.isprintable()).split())[:_LOGGED_QUERY_CHARS].lower()


def merge_synonyms(base: SynonymRules, extra: SynonymRules) -> SynonymRules:
    merged = {key: tuple(values) for key, values in base.expansions.items()}
    for key, values in extra.expansions.items():
        merged[key] = tuple(dict.fromkeys([*merged.get(key, ()), *values]))
    return SynonymRules(expansions=merged)


class SearchService:
    def __init__(self, refresh_seconds: float) -> None:
        self._synonyms = seed_synonyms()
        self.index = SearchIndex(synonyms=self._synonyms)
        self.cards: dict[str, GuideCard] = {}
        self._refresh_seconds = refresh_seconds
        self._cursor = 0
        self._synonym_version = -1
        self._catalog_version = -1
        self._popularity: dict[str, int] = {}
        self._started = False
        self._lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []
        self._counts: dict[str, list[int]] = {}
        self._hot: tuple[float, list[str]] = (0.0, [])
        self._rendered: OrderedDict[int, tuple[SearchResult, bytes]] = OrderedDict()

    # ------------------------------------------------------------------ lifecycle
    async def ready(self, deps: Deps) -> None:
        """Build the index on first use (or at web start-up) and keep it current from then on."""
        if self._started:
            return
        async with self._lock:
            if self._started:
                return
            began = time.perf_counter()
            await self._rebuild(deps)
            await self._refresh_synonyms(deps)
            self._started = True
            self._tasks = [asyncio.create_task(self._follow(deps)), asyncio.create_task(self._flush_loop(deps))]
            log.info("search index built: %d guides in %.2fs", len(self.index), time.perf_counter() - began)

    def serve_prepared(self, index: SearchIndex, cards: dict[str, GuideCard]) -> None:
        """Answer from an index built elsewhere and never follow MongoDB: for benchmarks and offline
        tools that search a corpus which is not in the database."""
        self.index = index
        self.cards = cards
        self._started = True

    async def close(self, deps: Deps) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        with contextlib.suppress(Exception):
            await self.flush(deps)

    # ------------------------------------------------------------------ keeping current
    async def _rebuild(self, deps: Deps) -> None:
        self._catalog_version = await catalog_version(deps)
        self._popularity = await repository.applications_per_guide(deps.db)
        cursor, changes = await live_guides_changed_since(deps, 0)
        guides = [change["guide"] for change in changes if change["live"]]
        department_names, theme_names = await self._names(deps, guides)
        docs = []
        cards = {}
        for guide in guides:
            docs.append(self._document(guide, department_names, theme_names))
            cards[guide["id"]] = self._card(guide, department_names)
        # A fresh index built off the loop, then swapped in: guides gone since the last build disappear,
        # and searches keep being answered from the old index meanwhile.
        fresh = SearchIndex(synonyms=self._synonyms)
        await asyncio.to_thread(fresh.build, docs)
        self.index = fresh
        self.cards = cards
        self._cursor = cursor

    async def refresh(self, deps: Deps) -> None:
        """Apply what changed since the last look; idempotent."""
        if await catalog_version(deps) != self._catalog_version:
            await self._rebuild(deps)
        else:
            cursor, changes = await live_guides_changed_since(deps, self._cursor)
            live = [change["guide"] for change in changes if change["live"]]
            department_names, theme_names = await self._names(deps, live)
            for change in changes:
                if change["live"]:
                    guide = change["guide"]
                    self.index.upsert(self._document(guide, department_names, theme_names))
                    self.cards[guide["id"]] = self._card(guide, department_names)
                else:
                    self.index.remove(change["id"])
                    self.cards.pop(change["id"], None)
            self._cursor = max(self._cursor, cursor)
        await self._refresh_synonyms(deps)

    async def _refresh_synonyms(self, deps: Deps) -> None:
        version = await repository.synonym_version(deps.db)
        if version == self._synonym_version:
            return
        groups = await repository.synonym_groups(deps.db)
        editors = SynonymRules.from_groups([g["terms"] for g in groups if not g.get("one_way")],
                                           [(g["terms"][0], g["terms"][1:]) for g in groups if g.get("one_way")])
        self._synonyms = merge_synonyms(seed_synonyms(), editors)
        self.index.set_synonyms(self._synonyms)
        self._synonym_version = version

    async def _follow(self, deps: Deps) -> None:
        while True:
            await asyncio.sleep(self._refresh_seconds)
            try:
                await self.refresh(deps)
            except Exception:  # the next round tries again; a dead database must not kill the poller
                log.warning("search refresh failed", exc_info=True)

    async def _names(self, deps: Deps, guides: Iterable[dict[str, Any]]) -> tuple[dict[str, str], dict[str, str]]:
        guides = list(guides)
        departments = {g["department_id"] for g in guides}
        themes = {t for g in guides for t in g.get("themes", [])}
        return await names(deps, DEPARTMENTS, departments), await names(deps, THEMES, themes)

    def _document(self, guide: dict[str, Any], department_names: dict[str, str],
                  theme_names: dict[str, str]) -> Any:
        popularity = math.log1p(self._popularity.get(guide["id"], 0))
        return search_document(guide, department_names=department_names, theme_names=theme_names,
                               popularity=popularity)

    @staticmethod
    def _card(guide: dict[str, Any], department_names: dict[str, str]) -> GuideCard:
        return GuideCard(id=guide["id"], name=guide["name"], department_id=guide["department_id"],
                         department=department_names.get(guide["department_id"], ""), item_type=guide["item_type"],
                         online_depth=guide.get("online_depth"), visits_required=guide.get("visits_required"),
                         payment_online=bool(guide.get("payment_online")))

    # ------------------------------------------------------------------ queries
    def search(self, query: str, *, filters: dict[str, Any], offset: int, limit: int) -> SearchResult:
        query = query[:MAX_QUERY_CHARS]
        result = self.index.search(query, filters=filters or None, offset=offset, limit=limit)
        if offset == 0:
            self._count(query, result.total)
        return result

    def rendered(self, result: SearchResult, render: Callable[[SearchResult], bytes]) -> bytes:
        """``render(result)``, kept for as long as the index hands out this same result from its cache
        (until the next write): a popular query is then answered from bytes, not rebuilt for every citizen
        who asks it. ``render`` must depend only on the result and the query it answers."""
        found = self._rendered.get(id(result))
        if found is not None and found[0] is result:
            self._rendered.move_to_end(id(result))
            return found[1]
        body = render(result)
        # Holding the result keeps its id from being reused by another while the entry is here.
        self._rendered[id(result)] = (result, body)
        if len(self._rendered) > _RENDERED_PAGES:
            self._rendered.popitem(last=False)
        return body

    def suggest(self, prefix: str, limit: int) -> list[str]:
        return self.index.suggest(prefix[:MAX_QUERY_CHARS], limit=limit)

    def _count(self, query: str, total: int) -> None:
        # Counted as typed; normalised once per distinct query when flushed, not on every request.
        counts = self._counts.get(query)
        if counts is None:
            counts = self._counts[query] = [0, 0]
        counts[0] += 1
        if total == 0:
            counts[1] += 1

    async def flush(self, deps: Deps) -> None:
        counts, self._counts = self._counts, {}
        merged: dict[str, tuple[int, int]] = {}
        for query, (times, empty) in counts.items():
            key = normalise_logged_query(query)
            if key:
                before = merged.get(key, (0, 0))
                merged[key] = (before[0] + times, before[1] + empty)
        if merged:
            await repository.add_query_counts(deps.db, merged, deps.clock.now())

    async def _flush_loop(self, deps: Deps) -> None:
        while True:
            await asyncio.sleep(_FLUSH_SECONDS)
            try:
                await self.flush(deps)
            except Exception:
                log.warning("query log flush failed", exc_info=True)

    async def hot(self, deps: Deps, limit: int) -> list[str]:
        """Frequent queries that find something: what citizens see before they type."""
        at, cached = self._hot
        if time.monotonic() - at > _HOT_CACHE_SECONDS or len(cached) < limit:
            rows = await repository.top_queries(deps.db, limit=limit * 3, no_result_only=False)
            cached = [row["_id"] for row in rows if row["count"] > row.get("no_result_count", 0)]
            self._hot = (time.monotonic(), cached)
        return cached[:limit]
