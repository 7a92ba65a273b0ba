"""Completions while the citizen types: guide names and aliases by text, pinyin or initials prefix."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Iterable

from cms.search.normalize import fold
from cms.search.phonetics import readings

# Enough prefix matches to rank by popularity; a one-character prefix must not scan everything.
_SCAN_LIMIT = 300


def text_key(text: str) -> str:
    return "".join(fold(text).split())


def pinyin_keys(text: str) -> tuple[str, str]:
    """Full pinyin and initials, by each character's most common reading."""
    full: list[str] = []
    initials: list[str] = []
    for ch in text_key(text):
        found = readings(ch)
        if found:
            full.append(found[0])
            initials.append(found[0][0])
        else:
            full.append(ch)
            initials.append(ch)
    return "".join(full), "".join(initials)


class Suggester:
    """Three sorted lists of (key, shown text, slot): by folded text, full pinyin and initials."""

    def __init__(self) -> None:
        self._lists: tuple[list[tuple[str, str, int]], ...] = ([], [], [])

    def add(self, slot: int, texts: Iterable[str]) -> None:
        for item, target in zip(self._items(slot, texts), self._lists, strict=True):
            for entry in item:
                insort(target, entry)

    def remove(self, slot: int, texts: Iterable[str]) -> None:
        for item, target in zip(self._items(slot, texts), self._lists, strict=True):
            for entry in item:
                position = bisect_left(target, entry)
                if position < len(target) and target[position] == entry:
                    del target[position]

    def bulk_load(self, slots_and_texts: Iterable[tuple[int, Iterable[str]]]) -> None:
        keys: dict[str, tuple[str, str, str]] = {}  # names repeat across counties: key each once
        for slot, texts in slots_and_texts:
            for text in dict.fromkeys(texts):
                found = keys.get(text)
                if found is None:
                    found = keys[text] = (text_key(text), *pinyin_keys(text))
                if found[0]:
                    for key, target in zip(found, self._lists, strict=True):
                        target.append((key, text, slot))
        for target in self._lists:
            target.sort()

    @staticmethod
    def _items(slot: int, texts: Iterable[str]) -> tuple[list[tuple[str, str, int]], ...]:
        by_text: list[tuple[str, str, int]] = []
        by_pinyin: list[tuple[str, str, int]] = []
        by_initials: list[tuple[str, str, int]] = []
        for text in dict.fromkeys(texts):
            key = text_key(text)
            if not key:
                continue
            full, initials = pinyin_keys(text)
            by_text.append((key, text, slot))
            by_pinyin.append((full, text, slot))
            by_initials.append((initials, text, slot))
        return by_text, by_pinyin, by_initials

    def lookup(self, prefix: str, limit: int, rank: Callable[[int], float]) -> list[str]:
        """Shown texts whose key starts with the prefix; text matches first, then by ``rank`` desc."""
        key = text_key(prefix)
        if not key or limit <= 0:
            return []
        by_text, by_pinyin, by_initials = self._lists
        groups = [_scan(by_text, key)]
        if key.isascii() and key.isalpha():
            groups.append(_scan(by_pinyin, key) + _scan(by_initials, key))
        found: dict[str, None] = {}
        for group in groups:
            group.sort(key=lambda entry: (-rank(entry[2]), len(entry[1]), entry[1]))
            for _, shown, _ in group:
                found.setdefault(shown)
                if len(found) >= limit:
                    return list(found)
        return list(found)


def _scan(entries: list[tuple[str, str, int]], prefix: str) -> list[tuple[str, str, int]]:
    matches: list[tuple[str, str, int]] = []
    position = bisect_left(entries, (prefix, "", -1))
    while position < len(entries) and len(matches) < _SCAN_LIMIT:
        entry = entries[position]
        if not entry[0].startswith(prefix):
            break
        matches.append(entry)
        position += 1
    return matches
