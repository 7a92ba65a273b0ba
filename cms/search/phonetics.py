"""Toneless pinyin for single characters, and splitting typed latin letters into pinyin syllables.

Readings come from pypinyin's per-character table, read straight from the JSON file it ships with.
Importing ``pypinyin`` itself also loads its phrase dictionary (about 50 MB and 0.4 s per process),
which the index does not need: it indexes every common reading of a character instead of guessing
the one reading a phrase uses, so a citizen who types either reading still finds the guide.
"""

from __future__ import annotations

import importlib.util
import json
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

# Readings beyond the second are rare literary ones; indexing them would only add noise.
READINGS_PER_CHAR = 2
_MAX_SYLLABLE = 6
# A lone initial costs more than a syllable, so "xian" splits as one syllable, not x-i-a-n.
_INITIAL_COST = 3
_INITIALS = ("zh", "ch", "sh", *"bpmfdtnlgkhjqxrzcsyw")
_VOWEL_SYLLABLES = frozenset({"a", "o", "e", "ai", "ei", "ao", "ou", "an", "en", "ang", "eng", "er"})


@cache
def _raw_readings() -> dict[str, str]:
    spec = importlib.util.find_spec("pypinyin")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location) / "pinyin_dict.json"
        if path.exists():
            loaded: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
            return loaded
    from pypinyin.pinyin_dict import pinyin_dict  # the JSON moved: pay for the full import

    return {str(code): value for code, value in pinyin_dict.items()}


def _toneless(reading: str) -> str:
    decomposed = unicodedata.normalize("NFD", reading.strip()).replace("u\u0308", "v")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


_readings_cache: dict[str, tuple[str, ...]] = {}


def readings_cache() -> dict[str, tuple[str, ...]]:
    """The readings looked up so far, for hot loops that cannot afford a call per character."""
    return _readings_cache


def readings(ch: str) -> tuple[str, ...]:
    """Toneless readings of one character, most common first; () for anything without pinyin."""
    cached = _readings_cache.get(ch)
    if cached is not None:
        return cached
    raw = _raw_readings().get(str(ord(ch)), "") if len(ch) == 1 else ""
    found: list[str] = []
    for reading in raw.split(","):
        plain = _toneless(reading)
        if plain.isalpha() and plain.isascii() and plain not in found:
            found.append(plain)
    result = tuple(found[:READINGS_PER_CHAR])
    _readings_cache[ch] = result
    return result


@cache
def syllables() -> frozenset[str]:
    """Every toneless syllable a typed pinyin query may contain."""
    found: set[str] = set()
    for raw in _raw_readings().values():
        for reading in raw.split(","):
            plain = _toneless(reading)
            # Nasal interjections (m, n, ng, hm) would let stray consonants parse as syllables.
            if plain.isascii() and plain.isalpha() and (plain in _VOWEL_SYLLABLES or _has_vowel(plain)):
                found.add(plain)
    return frozenset(found)


def _has_vowel(syllable: str) -> bool:
    return any(ch in "aeiouv" for ch in syllable)


@lru_cache(maxsize=4096)
def split_pinyin(letters: str) -> tuple[tuple[str, bool], ...] | None:
    """Split a run of latin letters into pinyin pieces: (syllable, True) or (initial, False).

    "shenfenzheng" -> shen fen zheng; "sfz" -> s f z as initials; "shenfenz" -> shen fen + initial z.
    Fewest lone initials wins, then fewest pieces. None when the letters are not pinyin at all.
    """
    letters = letters.lower()
    if not letters.isascii() or not letters.isalpha() or len(letters) > 40:
        return None
    valid = syllables()
    size = len(letters)
    # cost[i]: cheapest split of letters[:i]; back[i]: where its last piece starts
    cost: list[int | None] = [0] + [None] * size
    back = [0] * (size + 1)
    for start in range(size):
        base = cost[start]
        if base is None:
            continue
        for end in range(start + 1, min(size, start + _MAX_SYLLABLE) + 1):
            piece = letters[start:end]
            if piece in valid:
                step = 1
            elif piece in _INITIALS:
                step = _INITIAL_COST
            else:
                continue
            current = cost[end]
            if current is None or base + step < current:
                cost[end] = base + step
                back[end] = start
    if cost[size] is None:
        return None
    pieces: list[tuple[str, bool]] = []
    end = size
    while end > 0:
        start = back[end]
        piece = letters[start:end]
        pieces.append((piece, piece in valid))
        end = start
    return tuple(reversed(pieces))
