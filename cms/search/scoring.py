"""Scoring a parsed query against every guide at once (numpy), then the best few again as strings.

ranking.py says what the score means; this module computes it from the index's parts. It keeps two
things derived from the guides (feature idf, the per-guide prior); the index calls ``forget`` after
every write.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
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
        self._priors: Vector | None = None

    def forget(self) -> None:
        """Drop what was derived from the guides before a write."""
        self._idf.clear()
        self._priors = None

    # ---- first stage: every guide --------------------------------------------------------------

    def first_stage(self, plan: QueryPlan, size: int, live: int) -> FirstStage:
        """Per segment, every guide's best coverage over the segment's alternatives; their mean."""
        segments: list[SegmentScores] = []
        weight_sum = 0.0
        for segment in plan.segments:
            typed, *others = segment.alternatives
            weighted = self._weighted(typed, live)
            best = self._scaled_coverage(typed, weighted, size)
            whole = 0 if best is None else int(np.count_nonzero(best >= 0.999))  # guides with it all
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
            # One character in a material or department name says nothing about the guide; and
            # guides found only there rank after many whole name matches (pages away) anyway.
            if typed.text is not None and len(typed.text) > 1 and whole < _ENOUGH_NAME_MATCHES:
                best = _maximum(best, self._values.scores(*weighted, size))
            weight = segment.factor * weighted[2]
            weight_sum += weight
            segments.append(SegmentScores(segment, weight, best))
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

    def combine(self, first: FirstStage, plan: QueryPlan, candidates: Slots, size: int, log_max: float) -> Vector:
        """The first-stage score (see ranking.py) of the candidate slots."""
        matched: Vector | None = None
        for scored in first.segments:
            if scored.scores is not None:
                part = scored.scores[candidates] * scored.segment.length
                matched = part if matched is None else np.add(matched, part, out=matched)
        share = ranking.PRECISION_SHARE
        text = first.text[candidates]
        if matched is None:
            score = text * (1 - share)
        else:
            matched *= self._columns.view("inverse_core_length", size)[candidates]
            np.minimum(matched, 1.0, out=matched)
            matched *= share
            matched += 1 - share
            score = text * matched
        score += self._prior_vector(size, log_max)[candidates]
        asked = [word for word in self._variant_actions if word in plan.joined_texts]
        if asked:
            score += ranking.VARIANT_PENALTY * self._asked_variants_only(asked, candidates, size)
        return score

    def _scaled_coverage(
        self, alternative: Alternative, weighted: tuple[list[str], list[float], float], size: int
    ) -> Vector | None:
        features, weights, total = weighted
        if total <= 0:
            return None
        scale = alternative.factor / total
        return self._postings.coverage(features, [weight * scale for weight in weights], size)

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

    def _weighted(self, alternative: Alternative, live: int) -> tuple[list[str], list[float], float]:
        """The alternative's features with idf weights, and their sum."""
        features: list[str] = []
        weights: list[float] = []
        several = len(alternative.features) > 1
        total = 0.0
        known = self._idf
        for feature, base in zip(alternative.features, alternative.weights, strict=True):
            found = known.get(feature)
            if found is None:
                found = known[feature] = self._feature_idf(feature, live)
            # A common character says little when the alternative has longer features to go by.
            if several and base < 1.0 and found[1]:
                continue
            weight = base * found[0]
            features.append(feature)
            weights.append(weight)
            total += weight
        return features, weights, total

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

    def _asked_variants_only(self, asked: list[str], candidates: Slots, size: int) -> npt.NDArray[np.bool_]:
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
        self, slot: int, score: float, text: float, segment_scores: list[float], first: FirstStage, size: int
    ) -> float:
        """The first-stage score, corrected where a segment's match as a string differs from its
        n-gram coverage: an abbreviation, typo or initials match raises it, scattered n-grams lower it."""
        text_gain = 0.0
        length_gain = 0.0
        for scored, current in zip(first.segments, segment_scores, strict=True):
            if scored.weight <= 0:
                continue
            start = current
            if current >= ranking.ABBREVIATION_QUALITY:
                # All n-grams found, but are they in order? 执业注册 in 执业注销注册 is not.
                if current > ranking.SCATTERED_QUALITY and not self._typed_in_order(slot, scored.segment):
                    text_gain -= scored.weight * (current - ranking.SCATTERED_QUALITY)
                    length_gain -= (current - ranking.SCATTERED_QUALITY) * scored.segment.length
                continue
            # Only what was typed: synonyms are official wording, found whole by the first stage.
            for alternative in scored.segment.alternatives:
                if alternative.factor <= current or not _checked_as_string(alternative, scored.segment):
                    continue
                quality = ranking.alternative_quality(alternative, self._ranked_text(slot))
                current = max(current, quality * alternative.factor)
            if current > start:
                text_gain += scored.weight * (current - start)
                length_gain += (current - start) * scored.segment.length
        if not text_gain:
            return score
        new_text = text + text_gain / first.weight_sum
        core_length = 1 / float(self._columns.view("inverse_core_length", size)[slot])
        old_matched = sum(
            current * scored.segment.length for scored, current in zip(first.segments, segment_scores, strict=True)
        )
        share = ranking.PRECISION_SHARE
        old_precision = min(1.0, old_matched / core_length)
        new_precision = min(1.0, max(0.0, old_matched + length_gain) / core_length)
        return score - text * ((1 - share) + share * old_precision) + new_text * ((1 - share) + share * new_precision)

    def _typed_in_order(self, slot: int, segment: Segment) -> bool:
        typed = segment.alternatives[0].text
        if typed is None or len(typed) < 3:
            return True
        ranked = self._ranked_text(slot)
        return typed in ranked.name or any(typed in alias for alias in ranked.aliases)


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
