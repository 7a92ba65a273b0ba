"""The index terms ("features") of a piece of text, on three channels.

- characters: Han unigrams and bigrams (``证``, ``身份``) and whole latin/digit words (``#etc``);
- sound: pairs of toneless pinyin syllables (``~shen fen``), so a query typed in pinyin or with a
  homophone typo (残急人证) meets the guide's characters;
- initials: pairs of first letters (``^sf``), for queries like ``sfz``.

Bigrams are what carry meaning in Chinese; unigrams give recall for abbreviations (重残 -> 重度残疾)
and typos. No word segmenter is needed for matching: bigrams of the guide text are its dictionary.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

from cms.search.normalize import runs
from cms.search.phonetics import readings, readings_cache

# Relative weight of a unigram next to a bigram inside one query term.
UNIGRAM_WEIGHT = 0.5


def word_feature(word: str) -> str:
    return "#" + word


def syllable_pair_feature(first: str, second: str) -> str:
    return "~" + first + " " + second


def initials_pair_feature(first: str, second: str) -> str:
    return "^" + first + second


def text_features(folded: str, *, sound: bool) -> set[str]:
    """Every feature of a folded field value (one name, one alias, one material...)."""
    found: set[str] = set()
    for run, han in runs(folded):
        if not han:
            found.add(word_feature(run))
            continue
        found.update(run)
        found.update(run[i : i + 2] for i in range(len(run) - 1))
        if sound:
            _add_sound(run, found)
    return found


def _add_sound(run: str, found: set[str]) -> None:
    # Syllables with every common reading (a typed full syllable is specific enough); initials by the
    # most common reading only, since two-letter pairs from rare readings match almost anything.
    # Single syllables are not indexed: one syllable is shared by dozens of characters.
    previous: tuple[str, ...] = ()
    known = readings_cache()
    for ch in run:
        current = known.get(ch)
        if current is None:
            current = readings(ch)
        for first in previous:
            for second in current:
                found.add(syllable_pair_feature(first, second))
        if previous and current:
            found.add(initials_pair_feature(previous[0][0], current[0][0]))
        previous = current


def han_query_features(text: str) -> tuple[list[str], list[float]]:
    """Features of a Han query term with their base weights (before idf)."""
    if len(text) == 1:
        return [text], [1.0]
    weights = dict.fromkeys(text, UNIGRAM_WEIGHT)
    weights.update(dict.fromkeys((text[i : i + 2] for i in range(len(text) - 1)), 1.0))
    return list(weights), list(weights.values())


def syllable_query_features(syllables: Sequence[str]) -> tuple[list[str], list[float]]:
    features = [syllable_pair_feature(a, b) for a, b in itertools.pairwise(syllables)]
    return _dedupe(features, [1.0] * len(features))


def initials_query_features(initials: Sequence[str]) -> tuple[list[str], list[float]]:
    features = [initials_pair_feature(a, b) for a, b in itertools.pairwise(initials)]
    return _dedupe(features, [1.0] * len(features))


def default_syllables(text: str) -> list[str]:
    """The most common reading of each character that has one."""
    return [found[0] for found in map(readings, text) if found]


def _dedupe(features: Iterable[str], weights: Iterable[float]) -> tuple[list[str], list[float]]:
    merged: dict[str, float] = {}
    for feature, weight in zip(features, weights, strict=True):
        merged[feature] = max(weight, merged.get(feature, 0.0))
    return list(merged), list(merged.values())
