"""The in-process search index over live guides: build, upsert/remove, search, suggest.

Names and aliases are indexed per guide as n-gram postings (postings.py); the short values many
guides share (departments, materials, themes, item types) once per value (field_values.py). A query
is parsed (query.py), scored for all guides at once with numpy, its best few re-scored as strings
(scoring.py, ranking.py), and only the page is highlighted (highlight.py).

Besides whole results (``cache_size``), the index keeps parsed queries and the per-guide scores of
recently searched words until the next write: they are the same for every query that contains them.

Publishing or unpublishing one guide touches only that guide's postings (``upsert``/``remove``, a few
milliseconds at 20,000 guides), so a change is searchable as soon as the call returns. Not
thread-safe: call everything from one thread (the web process's event loop); ``search`` is synchronous.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from cms.search import ranking
from cms.search.columns import Columns
from cms.search.facets import FacetMasks, facet_pairs
from cms.search.features import text_features
from cms.search.field_values import FieldValues
from cms.search.highlight import Marker, highlight_guide
from cms.search.models import FilterValue, Hit, SearchDoc, SearchResult
from cms.search.normalize import fold, strip_notes
from cms.search.postings import Postings
from cms.search.query import QueryParser, QueryPlan
from cms.search.scoring import VARIANT, Scorer
from cms.search.suggest import Suggester
from cms.search.vocabulary import SynonymRules, Vocabulary, default_vocabulary

# Field weights: a query word found in the name counts fully, in an alias a little less, and so on.
NAME_WEIGHT = 1.0
ALIAS_WEIGHT = 0.9
MATERIAL_WEIGHT = 0.5
THEME_WEIGHT = 0.45
DEPARTMENT_WEIGHT = 0.35
ITEM_TYPE_WEIGHT = 0.3

# GB/T 39046 item type codes; catalogues also write them without the leading zero.
ITEM_TYPE_LABELS = {
    "00": "行政权力",
    "01": "行政许可",
    "02": "行政处罚",
    "03": "行政强制",
    "04": "行政征收",
    "05": "行政给付",
    "06": "行政检查",
    "07": "行政确认",
    "08": "行政奖励",
    "09": "行政裁决",
    "10": "其他行政权力",
    "20": "公共服务",
}
FIELD_WEIGHTS = {
    "materials": MATERIAL_WEIGHT,
    "themes": THEME_WEIGHT,
    "department": DEPARTMENT_WEIGHT,
    "item_type": ITEM_TYPE_WEIGHT,
}
MAX_LIMIT = 100
# Candidates looked at as strings beyond the requested page, so a late riser can still reach it.
_RERANK_MARGIN = 4
# Below this first-stage text score a guide cannot reach MIN_SCORE, even raised by the second stage.
_CANDIDATE_FLOOR = 0.15
_PARSED_CACHE_SIZE = 256
_CACHED_QUERY_CHARS = 64


class _Entry(NamedTuple):
    doc: SearchDoc
    ranked: ranking.RankedText


class SearchIndex:
    def __init__(
        self,
        docs: Iterable[SearchDoc] = (),
        *,
        synonyms: SynonymRules | None = None,
        vocabulary: Vocabulary | None = None,
        cache_size: int = 2048,
    ) -> None:
        """``cache_size`` results are kept until the next write (search logs repeat a lot); 0: none."""
        self._cache: OrderedDict[tuple[object, ...], SearchResult] = OrderedDict()
        self._parsed_queries: OrderedDict[str, _ParsedQuery] = OrderedDict()
        self._cache_size = cache_size
        self._vocabulary = vocabulary or default_vocabulary()
        self._variant_pattern = _alternation(self._vocabulary.variant_actions)
        self._generic_pattern = _alternation(word for word in self._vocabulary.weak if len(word) >= 2)
        self._synonyms = synonyms or SynonymRules()
        self._postings = Postings(ALIAS_WEIGHT)
        self._entries: dict[int, _Entry] = {}
        self._slots: dict[str, int] = {}
        self._free: list[int] = []
        self._high = 0  # one past the highest slot in use so far
        self._facets = FacetMasks()
        self._values = FieldValues(FIELD_WEIGHTS)
        self._columns = Columns({"inverse_core_length": np.float64, "popularity": np.float64, "variants": np.int16})
        self._suggester = Suggester()
        self._log_max_popularity = 0.0
        self._scorer = Scorer(
            self._postings,
            self._values,
            self._columns,
            self._facets,
            self._vocabulary.variant_actions,
            lambda slot: self._entries[slot].ranked,
        )
        self._parser = self._make_parser()
        self.build(docs)

    # ---- writing ------------------------------------------------------------------------------

    def build(self, docs: Iterable[SearchDoc]) -> None:
        """Add (or replace) many guides at once, much faster than upserting them one by one. Guides
        already in the index and not among ``docs`` stay."""
        self._forget_derived()
        # A catalogue repeats most names once per county: index each distinct name once.
        slots_by_name: dict[str, list[int]] = {}
        name_features = lru_cache(maxsize=None)(_name_features)
        by_alias: dict[str, list[int]] = {}
        added: list[int] = []
        # One guide listed twice counts once (the last); its postings must not be added twice.
        for doc in {doc.id: doc for doc in docs}.values():
            if doc.id in self._slots:
                self.remove(doc.id)
            slot = self._claim_slot(doc)
            added.append(slot)
            slots_by_name.setdefault(doc.name, []).append(slot)
            if doc.aliases:
                for feature in _alias_features(doc, name_features(doc.name)):
                    by_alias.setdefault(feature, []).append(slot)
        by_name: dict[str, list[int]] = {}
        for name, slots in slots_by_name.items():
            for feature in name_features(name):
                existing = by_name.get(feature)
                if existing is None:
                    by_name[feature] = list(slots)
                else:
                    existing.extend(slots)
        self._postings.bulk_add(by_name, by_alias)
        self._suggester.bulk_load((slot, _suggestion_texts(self._entries[slot].doc)) for slot in added)

    def upsert(self, doc: SearchDoc) -> None:
        """Add or replace one guide; searchable as soon as this returns."""
        self._forget_derived()
        if doc.id in self._slots:
            self.remove(doc.id)
        slot = self._claim_slot(doc)
        self._postings.add(slot, *_doc_features(doc))
        self._suggester.add(slot, _suggestion_texts(doc))

    def remove(self, doc_id: str) -> bool:
        """Take one guide out of the index; False if it was not there."""
        slot = self._slots.pop(doc_id, None)
        if slot is None:
            return False
        self._forget_derived()
        entry = self._entries.pop(slot)
        self._postings.remove(slot, *_doc_features(entry.doc))
        self._facets.set(slot, self._facet_pairs(entry.doc, entry.ranked.name), on=False)
        self._values.remove(slot, _field_values(entry.doc))
        self._columns.set(slot, {"inverse_core_length": 1.0, "popularity": 0.0, "variants": 0})
        self._suggester.remove(slot, _suggestion_texts(entry.doc))
        self._free.append(slot)
        return True

    def set_synonyms(
        self,
        groups: Iterable[Sequence[str]] | SynonymRules,
        one_way: Iterable[tuple[str, Sequence[str]]] = (),
    ) -> None:
        """Replace the editor-managed synonyms: groups of equivalent words, plus one-way rules."""
        if isinstance(groups, SynonymRules):
            self._synonyms = groups
        else:
            self._synonyms = SynonymRules.from_groups(groups, one_way)
        self._parser = self._make_parser()
        self._cache.clear()
        self._parsed_queries.clear()

    def _forget_derived(self) -> None:
        """Results, parsed queries and weights computed from the guides as they were before a write."""
        self._cache.clear()
        self._parsed_queries.clear()
        self._scorer.forget()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._slots

    def _make_parser(self) -> QueryParser:
        return QueryParser(self._vocabulary, self._synonyms, self._is_known_bigram)

    def _is_known_bigram(self, bigram: str) -> bool:
        return self._postings.in_names(bigram) >= 2

    def _claim_slot(self, doc: SearchDoc) -> int:
        slot = self._free.pop() if self._free else self._high
        self._high = max(self._high, slot + 1)
        name = _compact(doc.name)
        core = _compact(strip_notes(doc.name)) if "(" in doc.name or "（" in doc.name else name
        self._entries[slot] = _Entry(doc, _ranked_text(doc, name))
        self._slots[doc.id] = slot
        pairs = self._facet_pairs(doc, name)
        self._facets.set(slot, pairs, on=True)
        self._values.add(slot, _field_values(doc))
        popularity = _log_popularity(doc.popularity)
        self._columns.set(
            slot,
            {
                "inverse_core_length": 1 / max(1, len(core) - self._generic_length(core)),
                "popularity": popularity,
                "variants": sum(1 for pair in pairs if pair[0] == VARIANT),
            },
        )
        self._log_max_popularity = max(self._log_max_popularity, popularity)
        return slot

    def _facet_pairs(self, doc: SearchDoc, name: str) -> set[tuple[str, str]]:
        """The guide's filter values, and the variant words of its name (bracketed notes too:
        培训备案（终止） is the 终止 of 培训备案)."""
        pairs = facet_pairs(doc.filters)
        pairs.update((VARIANT, word) for word in self._variant_pattern.findall(name))
        return pairs

    def _generic_length(self, core: str) -> int:
        """Characters of generic words (办理, 申请...) in a name: they do not dilute a match."""
        return sum(map(len, self._generic_pattern.findall(core)))

    # ---- reading ------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        filters: Mapping[str, FilterValue | None] | None = None,
        offset: int = 0,
        limit: int = 10,
    ) -> SearchResult:
        """The guides matching ``query`` (and every filter), best first: ``limit`` of them from
        ``offset``. Any string is a valid query; one with nothing searchable in it matches nothing."""
        offset = max(0, offset)
        limit = max(0, min(limit, MAX_LIMIT))
        key = _cache_key(query, filters, offset, limit) if self._cache_size else None
        if key is not None:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        result = self._search(query, filters, offset, limit)
        if key is not None:
            self._cache[key] = result
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return result

    def suggest(self, prefix: str, limit: int = 10) -> list[str]:
        """Names and aliases that start with what was typed (as text, pinyin or initials), most popular
        first; then names of the best search results for it."""
        limit = max(0, min(limit, MAX_LIMIT))
        if not limit:
            return []
        found = self._suggester.lookup(prefix[:64], limit, self._popularity_of_slot)
        if len(found) < limit:
            for hit in self.search(prefix, limit=limit).hits:
                name = self._entries[self._slots[hit.doc_id]].doc.name
                if name not in found:
                    found.append(name)
                if len(found) >= limit:
                    break
        return found

    def _popularity_of_slot(self, slot: int) -> float:
        entry = self._entries.get(slot)
        return _log_popularity(entry.doc.popularity) if entry else 0.0

    def _search(
        self, query: str, filters: Mapping[str, FilterValue | None] | None, offset: int, limit: int
    ) -> SearchResult:
        parsed = self._parsed(query)
        plan = parsed.plan
        if plan.empty or not self._entries:
            return SearchResult(0, ())
        size = self._high
        first = self._scorer.first_stage(plan, size, len(self._entries))
        candidates = (first.text >= _CANDIDATE_FLOOR).nonzero()[0]
        if filters and len(candidates):
            mask = self._facets.mask(filters, size)
            if mask is not None:
                candidates = candidates[mask[candidates]]
        if not len(candidates):
            return SearchResult(0, ())
        scores = self._scorer.combine(first, plan, candidates, size, self._log_max_popularity, parsed.asked)
        # The best few (positions into candidates) are looked at again as strings.
        wanted = offset + limit + _RERANK_MARGIN
        top = np.argpartition(-scores, wanted - 1)[:wanted] if len(candidates) > wanted else np.arange(len(candidates))
        top_array = candidates[top]
        top_slots = top_array.tolist()
        top_scores = scores[top].tolist()
        per_segment = [
            scored.scores[top_array].tolist() if scored.scores is not None else [0.0] * len(top_slots)
            for scored in first.segments
        ]
        single = len(per_segment) == 1 and first.text is first.segments[0].scores
        text = per_segment[0] if single else first.text[top_array].tolist()
        corrected = self._scorer.second_stage(top_slots, top_scores, text, per_segment, first, size)
        ranked = sorted(zip([-score for score in corrected], top_slots, strict=True))
        cutoff = max(ranking.MIN_SCORE, -ranking.RELATIVE_CUTOFF * ranked[0][0])
        kept = [(-negative, slot) for negative, slot in ranked if -negative >= cutoff]
        # The rest are counted, and paged, by their first-stage score.
        extra = int(np.count_nonzero(scores >= cutoff)) - sum(1 for score in top_scores if score >= cutoff)
        if offset + limit > len(kept) and extra:
            rest = scores >= cutoff
            rest[top] = False
            positions = np.flatnonzero(rest)
            order = positions[np.argsort(-scores[positions], kind="stable")][: offset + limit - len(kept)]
            kept.extend(zip(scores[order].tolist(), candidates[order].tolist(), strict=True))
        page = kept[offset : offset + limit]
        if not page:
            return SearchResult(len(kept) + extra, ())
        marker = Marker.for_plan(plan)
        entries = self._entries
        hits = []
        for score, slot in page:
            doc = entries[slot].doc
            hits.append(Hit(doc.id, round(score, 4), highlight_guide(doc, marker)))
        return SearchResult(len(kept) + extra, tuple(hits))

    def _parsed(self, query: str) -> _ParsedQuery:
        """The query parsed, from a small cache: search logs repeat, and parsing costs more than
        looking up. Kept until the next write (parsing consults the guides' own words)."""
        if len(query) > _CACHED_QUERY_CHARS:
            return self._parse(query)
        cache = self._parsed_queries
        found = cache.get(query)
        if found is not None:
            cache.move_to_end(query)
            return found
        found = cache[query] = self._parse(query)
        if len(cache) > _PARSED_CACHE_SIZE:
            cache.popitem(last=False)
        return found

    def _parse(self, query: str) -> _ParsedQuery:
        plan = self._parser.parse(query)
        return _ParsedQuery(plan, tuple(self._scorer.asked_variants(plan)))


class _ParsedQuery(NamedTuple):
    """A parsed query and the variant words it asks for."""

    plan: QueryPlan
    asked: tuple[str, ...]


def _cache_key(
    query: str, filters: Mapping[str, FilterValue | None] | None, offset: int, limit: int
) -> tuple[object, ...] | None:
    if len(query) > 64:
        return None
    pairs = tuple(sorted(facet_pairs(filters))) if filters else ()
    return (query, pairs, offset, limit)


def _item_type_label(code: str) -> str:
    code = code.strip()
    return ITEM_TYPE_LABELS.get(code.zfill(2) if code.isdigit() else code, "")


def _name_features(text: str) -> set[str]:
    return text_features(fold(text), sound=True)


def _alias_features(doc: SearchDoc, name: set[str]) -> set[str]:
    alias: set[str] = set()
    for value in doc.aliases:
        alias.update(_name_features(value))
    return alias - name


def _doc_features(doc: SearchDoc) -> tuple[set[str], set[str]]:
    """Features of the name, and those of the aliases that the name does not have."""
    name = _name_features(doc.name)
    return name, _alias_features(doc, name)


def _field_values(doc: SearchDoc) -> list[tuple[str, str]]:
    values = [("materials", material) for material in doc.materials]
    values += [("themes", theme) for theme in doc.themes]
    values.append(("department", doc.department))
    values.append(("item_type", _item_type_label(doc.item_type)))
    return [(field, value) for field, value in values if value.strip()]


def _compact(text: str) -> str:
    return "".join(fold(text).split())


def _alternation(words: Iterable[str]) -> re.Pattern[str]:
    """One pattern finding any of the words, longest first."""
    ordered = sorted(set(words), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, ordered)) if ordered else "(?!)")


def _log_popularity(popularity: float) -> float:
    return math.log1p(popularity) if math.isfinite(popularity) and popularity > 0 else 0.0


def _ranked_text(doc: SearchDoc, name: str) -> ranking.RankedText:
    return ranking.RankedText(name=name, aliases=tuple(alias for alias in map(_compact, doc.aliases) if alias))


def _suggestion_texts(doc: SearchDoc) -> list[str]:
    return [doc.name, *doc.aliases]
