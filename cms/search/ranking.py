"""How a guide's score is put together, and the string checks of the second stage.

First stage (scoring.py, all guides at once): per query segment, the weighted share of its n-grams a
guide has, through the best alternative (as typed, as it sounds, a synonym); segments are averaged by
weight into the text score. Precision is the share of the guide's name (without bracketed notes and
generic words like 办理) that the matched text accounts for: a guide that is mostly the query beats
one where the query is a small part.

Second stage (the page's candidates only): a segment matched only in part is checked as a string:
typed as an abbreviation (重残 for 重度残疾), with one wrong, missing or extra character, or as initials
of some of the name's words (jhyy for 结婚登记预约); and one whose n-grams are all there but not in
order (执业注册 in 执业注销注册) counts a little less.

    score = text x (1 - PRECISION_SHARE + PRECISION_SHARE x precision)
            - VARIANT_PENALTY (name has 注销/补办/... that the query did not ask for)
            + POPULARITY_SHARE x log-popularity / log-max-popularity

so popularity reorders two guides only when their text scores differ by less than POPULARITY_SHARE.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from cms.search.phonetics import readings
from cms.search.query import Alternative

PRECISION_SHARE = 0.15
POPULARITY_SHARE = 0.04
VARIANT_PENALTY = 0.03
ALIAS_QUALITY = 0.9
ABBREVIATION_QUALITY = 0.85
TYPO_QUALITY = 0.8
# All of a segment's n-grams found, but not as one string (执业注册 in 执业注销注册).
SCATTERED_QUALITY = 0.9
# Below this a candidate is not a result; and below RELATIVE_CUTOFF x the best one it is noise.
MIN_SCORE = 0.25
RELATIVE_CUTOFF = 0.3


class RankedText(NamedTuple):
    """What the second stage needs of a guide, folded once at indexing time."""

    name: str  # folded, no spaces
    aliases: tuple[str, ...]


@lru_cache(maxsize=4096)
def name_sounds(name: str) -> tuple[str, str]:
    """("|jie|hun|deng|ji|yu|yue|", "jhdjyy"): most common reading per character."""
    syllables = []
    initials = []
    for ch in name:
        found = readings(ch)
        syllables.append(found[0] if found else ch)
        initials.append(found[0][0] if found else ch)
    return "|" + "|".join(syllables) + "|", "".join(initials)


def alternative_quality(alternative: Alternative, ranked: RankedText) -> float:
    """How well one alternative matches the guide as a string, 0..1 (before its factor)."""
    if alternative.text is not None:
        return phrase_quality(alternative.text, ranked)
    syllables, initials = name_sounds(ranked.name)
    if alternative.syllables:
        return 1.0 if "|" + "|".join(alternative.syllables) + "|" in syllables else 0.0
    if alternative.initials:
        return abbreviation_quality(alternative.initials, initials)
    return 0.0


def phrase_quality(text: str, ranked: RankedText) -> float:
    if text in ranked.name:
        return 1.0
    if any(text in alias for alias in ranked.aliases):
        return ALIAS_QUALITY
    if len(text) < 2:
        return 0.0
    quality = abbreviation_quality(text, ranked.name)
    if quality < TYPO_QUALITY and len(text) >= 3 and contains_with_one_edit(text, ranked.name):
        quality = TYPO_QUALITY
    return quality


def abbreviation_quality(text: str, name: str) -> float:
    """1 when text is inside name; less the more its characters are spread out (重残 in 重度残疾人)."""
    if text in name:
        return 1.0
    best_span = 0
    start = name.find(text[0])
    while start >= 0:
        position = start
        for ch in text[1:]:
            position = name.find(ch, position + 1)
            if position < 0:
                break
        if position < 0:
            break
        span = position - start + 1
        if not best_span or span < best_span:
            best_span = span
        start = name.find(text[0], start + 1)
    if not best_span:
        return 0.0
    spread = (best_span - len(text)) / len(text)
    return max(0.0, ABBREVIATION_QUALITY - 0.2 * spread)


def contains_with_one_edit(text: str, name: str) -> bool:
    """text occurs in name with one character replaced or missing, or (4+ characters) one extra.

    One edit leaves one half of text intact, so the halves are looked up with ``str.find`` and only
    the rest is compared around each hit.
    """
    half = len(text) // 2
    left, right = text[:half], text[half:]
    sizes = [len(text) - half, len(text) - half + 1]  # the right part as typed, or with a missing char
    if len(text) >= 4:
        sizes.append(len(text) - half - 1)
    position = name.find(left) if left else -1
    while position >= 0:
        after = position + len(left)
        if any(_one_edit(right, name[after : after + size]) for size in sizes if after + size <= len(name)):
            return True
        position = name.find(left, position + 1)
    sizes = [half, half + 1] + ([half - 1] if len(text) >= 4 else [])
    position = name.find(right)
    while position >= 0:
        if any(_one_edit(left, name[position - size : position]) for size in sizes if position - size >= 0):
            return True
        position = name.find(right, position + 1)
    return False


def _one_edit(typed: str, found: str) -> bool:
    """Equal but for at most one replaced, missing or extra character."""
    if typed == found:
        return True
    if abs(len(typed) - len(found)) > 1:
        return False
    index = 0
    shortest = min(len(typed), len(found))
    while index < shortest and typed[index] == found[index]:
        index += 1
    if len(typed) == len(found):
        return typed[index + 1 :] == found[index + 1 :]
    if len(typed) > len(found):
        return typed[index + 1 :] == found[index:]
    return typed[index:] == found[index + 1 :]
