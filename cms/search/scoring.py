"""Scoring a parsed query against every guide at once (numpy), then the best few again as strings.

ranking.py says what the score means; this module computes it from the index's parts. It keeps what
it derived from the guides (feature idf, the per-guide prior, and the per-guide scores of the words
searched last, which recur across queries: 低保, 营业执照, 变更, 县级); the index calls ``forget``
after every write.
"""

from __future__ import annotations

import functools
import math
import operator
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from cms.search import ranking
from cms.search.columns import Columns
from cms.search.facets import FacetMasks
from cms.search.field_values import FieldValues
from cms.search.postings import Postings
from cms.search.query import Alternative, QueryPlan, Segment, sound_alternative

Slots = npt.NDArray[np.integer[Any]]
Vector = npt.NDArray[np.float64]
VARIANT = "\x00variant"  # facet key under which the index files a name's variant words

# A character in more than this share of guides says little; skipping it keeps queries fast.
_COMMON_UNIGRAM_SHARE = 0.04
# With this many guides matching a segment by name, other fields are not searched for it.
_ENOUGH_NAME_MATCHES = 30
_MAX_STRING_CHECK = 16
# A typed word in more than this share of guide names is official wording already.
_WIDELY_USED_SHARE = 0.05
_FULL = 0.999  # a segment's coverage that counts as all of it
# Per-guide scores of recent words: 16 MB, 100 words at 20,000 guides.
_SEGMENT_CACHE_BYTES = 16_000_000
_MIN_SEGMENTS_KEPT = 8

Weighted = tuple[list[str], list[float], float]  # features, their idf weights, the weights' sum


class SegmentScores(NamedTuple):
    segment: Segment
    weight: float
    scores: Vector | None  # per slot, 0..1 (best alternative, with its factor); None: no guide has any


class FirstStage(NamedTuple):
    segments: list[SegmentScores]
    weight_sum: float
    text: Vector  # per slot: the segments' weighted mean


class Scorer:
    def __init__(
        self,
        postings: Postings,
        values: FieldValues,
        columns: Columns,
        facets: FacetMasks,
        variant_actions: Sequence[str],
        ranked_text: Callable[[int], ranking.RankedText],
    ) -> None:
        self._postings = postings
        self._values = values
        self._columns = columns
        self._facets = facets
        self._variant_actions = variant_actions
        self._ranked_text = ranked_text
        self._idf: dict[str, tuple[float, bool]] = {}
        self._segment_cache: OrderedDict[Segment, SegmentScores] = OrderedDict()
        self._priors: Vector | None = None

    def forget(self) -> None:
        """Drop what was derived from the guides before a write."""
        self._idf.clear()
        self._segment_cache.clear()
        self._priors = None

    # ---- first stage: every guide --------------------------------------------------------------

    def first_stage(self, plan: QueryPlan, size: int, live: int) -> FirstStage:
        """Per segment, every guide's best coverage over the segment's alternatives; their mean."""
        segments = [self._segment_scores(segment, size, live) for segment in plan.segments]
        weight_sum = functools.reduce(operator.add, [scored.weight for scored in segments], 0.0)
        text: Vector | None = None
        for scored in segments:
            if scored.scores is None or scored.weight <= 0:
                continue
            if len(segments) == 1:
                text = scored.scores  # the mean of one segment is that segment
            else:
                part = scored.scores * (scored.weight / weight_sum)
                text = part if text is None else np.add(text, part, out=text)
        return FirstStage(segments, weight_sum, text if text is not None else np.zeros(size, dtype=np.float64))

    def _segment_scores(self, segment: Segment, size: int, live: int) -> SegmentScores:
        """The segment's weight and per slot score. Words recur across queries (低保, 营业执照,
        深圳...): kept, read-only, until the next write."""
        cache = self._segment_cache
        found = cache.get(segment)
        if found is not None:
            cache.move_to_end(segment)
            return found
        found = cache[segment] = self._compute_segment_scores(segment, size, live)
        if found.scores is not None:
            found.scores.flags.writeable = False
        if len(cache) > max(_MIN_SEGMENTS_KEPT, _SEGMENT_CACHE_BYTES // (8 * max(1, size))):
            cache.popitem(last=False)
        return found

    def _compute_segment_scores(self, segment: Segment, size: int, live: int) -> SegmentScores:
        typed, *others = segment.alternatives
        weighted = self._weighted(typed, live)
        scaled = self._scaled(typed, weighted)
        best = self._postings.coverage(weighted[0], scaled, size) if scaled else None
        # One character in a material or department name says nothing about the guide; and
        # guides found only there rank after many whole name matches (pages away) anyway.
        search_values = typed.text is not None and len(typed.text) > 1
        whole = 0  # guides with all of it
        if best is not None and (segment.sounds_like or search_values):
            whole = self._postings.count_full(weighted[0], scaled, best, _FULL)
        if segment.sounds_like and not whole:
            sound = sound_alternative(segment.sounds_like)
            if sound is not None:
                best = _maximum(best, self._scaled_coverage(sound, self._weighted(sound, live), size))
        for alternative in others:
            if not alternative.groups:
                coverage = self._scaled_coverage(alternative, self._weighted(alternative, live), size)
            elif not self._widely_used(typed.features, live):
                coverage = self._synonym_coverage(alternative, live, size)
            else:
                continue
            best = _maximum(best, coverage)
        if search_values and whole < _ENOUGH_NAME_MATCHES:
            best = _maximum(best, self._values.scores(*weighted, size))
        return SegmentScores(segment, segment.factor * weighted[2], best)

    def combine(
        self,
        first: FirstStage,
        plan: QueryPlan,
        candidates: Slots,
        size: int,
        log_max: float,
        asked: Sequence[str] | None = None,
    ) -> Vector:
        """The first-stage score (see ranking.py) of the candidate slots; ``asked``: the plan's
        ``asked_variants`` if already known."""
        text = first.text[candidates]
        matched: Vector | None = None
        for scored in first.segments:
            if scored.scores is not None:
                # (one segment's scores are the text scores)
                column = text if scored.scores is first.text else scored.scores[candidates]
                part = column * scored.segment.length
                matched = part if matched is None else np.add(matched, part, out=matched)
        share = ranking.PRECISION_SHARE
        if matched is None:
            score = text * (1 - share)
        else:
            matched *= self._columns.view("inverse_core_length", size)[candidates]
            np.minimum(matched, 1.0, out=matched)
            matched *= share
            matched += 1 - share
            score = text * matched
        score += self._prior_vector(size, log_max)[candidates]
        if asked is None:
            asked = self.asked_variants(plan)
        if asked:
            score += ranking.VARIANT_PENALTY * self._asked_variants_only(asked, candidates, size)
        return score

    def asked_variants(self, plan: QueryPlan) -> list[str]:
        """The variant words (注销, 补办...) the query asks for."""
        joined = plan.joined_texts
        return [word for word in self._variant_actions if word in joined]

    def _scaled_coverage(self, alternative: Alternative, weighted: Weighted, size: int) -> Vector | None:
        scaled = self._scaled(alternative, weighted)
        return self._postings.coverage(weighted[0], scaled, size) if scaled else None

    @staticmethod
    def _scaled(alternative: Alternative, weighted: Weighted) -> list[float]:
        """The weights scaled to sum to the alternative's factor; none when they sum to nothing."""
        _, weights, total = weighted
        if total <= 0:
            return []
        scale = alternative.factor / total
        return [weight * scale for weight in weights]

    def _widely_used(self, features: Sequence[str], live: int) -> bool:
        """The typed word is common in guide names (许可, 审批, 变更): it needs no synonyms."""
        longest = [feature for feature in features if len(feature) == 2] or list(features)
        return min(map(self._postings.frequency, longest), default=0) > live * _WIDELY_USED_SHARE

    def _synonym_coverage(self, alternative: Alternative, live: int, size: int) -> Vector | None:
        """Per slot: how much of the best synonym the guide has (all synonyms in one pass; a guide
        with two of them counts once), times the synonym factor."""
        features: list[str] = []
        weights: list[float] = []
        frequency_of = self._postings.frequency
        for group in alternative.groups:
            frequencies = [frequency_of(feature) for feature in group]
            if not all(frequencies):
                continue  # no guide has this synonym whole
            idf = [math.log1p(live / (frequency + 1)) for frequency in frequencies]
            total = sum(idf)
            features.extend(group)
            weights.extend(weight * alternative.factor / total for weight in idf)
        if not features:
            return None
        coverage = self._postings.coverage(features, weights, size)
        if coverage is not None:
            np.minimum(coverage, alternative.factor, out=coverage)
        return coverage

    def _weighted(self, alternative: Alternative, live: int) -> Weighted:
        """The alternative's features with idf weights, and their sum."""
        known = self._idf
        for feature in alternative.features:
            if feature not in known:
                known[feature] = self._feature_idf(feature, live)
        pairs: Iterable[tuple[str, float]] = zip(alternative.features, alternative.weights, strict=True)
        if len(alternative.features) > 1:
            # A common character says little when the alternative has longer features to go by.
            pairs = ((feature, base) for feature, base in pairs if base >= 1.0 or not known[feature][1])
        features: list[str] = []
        weights: list[float] = []
        for feature, base in pairs:
            features.append(feature)
            weights.append(base * known[feature][0])
        return features, weights, functools.reduce(operator.add, weights, 0.0)  # in order, as counted

    def _feature_idf(self, feature: str, live: int) -> tuple[float, bool]:
        """(idf, whether the feature is a common character)."""
        frequency = self._postings.frequency(feature)
        common = len(feature) == 1 and frequency > max(50.0, live * _COMMON_UNIGRAM_SHARE)
        return math.log1p(live / (frequency + 1)), common

    def _prior_vector(self, size: int, log_max: float) -> Vector:
        """Per slot: popularity share minus the variant penalty."""
        if self._priors is None or len(self._priors) != size:
            priors = -ranking.VARIANT_PENALTY * (self._columns.view("variants", size) > 0)
            if log_max > 0:
                priors = priors + self._columns.view("popularity", size) * (ranking.POPULARITY_SHARE / log_max)
            self._priors = priors.astype(np.float64)
        return self._priors

    def _asked_variants_only(self, asked: Sequence[str], candidates: Slots, size: int) -> npt.NDArray[np.bool_]:
        """Candidates whose name's variant words were all asked for: they keep no penalty."""
        variants = self._columns.view("variants", size)
        unasked = variants.astype(np.int16)
        for word in asked:
            slots = self._facets.slots((VARIANT, word))
            if slots is not None:
                unasked[slots] -= 1
        asked_only: npt.NDArray[np.bool_] = (variants[candidates] > 0) & (unasked[candidates] <= 0)
        return asked_only

    # ---- second stage: the best few, as strings ------------------------------------------------

    def second_stage(
        self,
        slots: Sequence[int],
        scores: Sequence[float],
        texts: Sequence[float],
        per_segment: Sequence[Sequence[float]],
        first: FirstStage,
        size: int,
    ) -> list[float]:
        """The first-stage scores of the best few, corrected where a segment's match as a string
        differs from its n-gram coverage: an abbreviation, typo or initials match raises a score,
        scattered n-grams lower it. ``texts``: their first-stage text scores; ``per_segment``: each
        segment's first-stage scores of the slots."""
        count = len(slots)
        text_gain = [0.0] * count
        length_gain = [0.0] * count
        ranked_text = self._ranked_text
        for scored, column in zip(first.segments, per_segment, strict=True):
            if scored.weight <= 0:
                continue
            segment = scored.segment
            typed = segment.alternatives[0].text
            in_order = typed if typed is not None and len(typed) >= 3 else None  # to check for order
            # Most of the best few have the segment whole, found in order: nothing to look at.
            if in_order is None:
                todo = [index for index, current in enumerate(column) if current < ranking.ABBREVIATION_QUALITY]
            else:
                todo = [
                    index
                    for index, current in enumerate(column)
                    if current < ranking.ABBREVIATION_QUALITY or current > ranking.SCATTERED_QUALITY
                ]
            if not todo:
                continue
            # Only what was typed: synonyms are official wording, found whole by the first stage.
            checked = [alternative for alternative in segment.alternatives if _checked_as_string(alternative, segment)]
            # The best few often share a name (the same item in several counties): check each once.
            gains: dict[tuple[ranking.RankedText, float], tuple[float, float]] = {}
            for index in todo:
                current = column[index]
                ranked = ranked_text(slots[index])
                found = gains.get((ranked, current))
                if found is None:
                    found = gains[ranked, current] = _segment_gain(scored, current, ranked, in_order, checked)
                if found[0] or found[1]:
                    text_gain[index] += found[0]
                    length_gain[index] += found[1]
        corrected = list(scores)
        for index, gain in enumerate(text_gain):
            if gain:
                segment_scores = [column[index] for column in per_segment]
                corrected[index] = self._corrected(
                    slots[index], scores[index], texts[index], gain, length_gain[index], segment_scores, first, size
                )
        return corrected

    def _corrected(
        self,
        slot: int,
        score: float,
        text: float,
        text_gain: float,
        length_gain: float,
        segment_scores: list[float],
        first: FirstStage,
        size: int,
    ) -> float:
        """The score with its text and precision parts redone after the string checks."""
        new_text = text + text_gain / first.weight_sum
        core_length = 1 / float(self._columns.view("inverse_core_length", size)[slot])
        old_matched = sum(
            current * scored.segment.length for scored, current in zip(first.segments, segment_scores, strict=True)
        )
        share = ranking.PRECISION_SHARE
        old_precision = min(1.0, old_matched / core_length)
        new_precision = min(1.0, max(0.0, old_matched + length_gain) / core_length)
        return score - text * ((1 - share) + share * old_precision) + new_text * ((1 - share) + share * new_precision)


def _segment_gain(
    scored: SegmentScores,
    current: float,
    ranked: ranking.RankedText,
    in_order: str | None,
    checked: list[Alternative],
) -> tuple[float, float]:
    """How much a guide's text score and matched length change when one segment, of first-stage
    score ``current``, is checked as a string against the guide's name and aliases."""
    if current >= ranking.ABBREVIATION_QUALITY:
        # All n-grams found, but are they in order? 执业注册 in 执业注销注册 is not.
        scattered = (
            in_order is not None
            and current > ranking.SCATTERED_QUALITY
            and in_order not in ranked.name
            and not any(in_order in alias for alias in ranked.aliases)
        )
        if scattered:
            lost = current - ranking.SCATTERED_QUALITY
            return -(scored.weight * lost), -(lost * scored.segment.length)
        return 0.0, 0.0
    start = current
    for alternative in checked:
        if alternative.factor > current:
            current = max(current, ranking.alternative_quality(alternative, ranked) * alternative.factor)
    if current > start:
        return scored.weight * (current - start), (current - start) * scored.segment.length
    return 0.0, 0.0


def _maximum(best: Vector | None, other: Vector | None) -> Vector | None:
    if other is None:
        return best
    if best is None:
        return other
    return np.maximum(best, other, out=best)


def _checked_as_string(alternative: Alternative, segment: Segment) -> bool:
    if alternative.text is not None:
        # Abbreviations and typos are in phrases, not in pasted paragraphs.
        return alternative.text == segment.source and 2 <= len(alternative.text) <= _MAX_STRING_CHECK
    return bool(alternative.syllables or alternative.initials)
