"""The word lists the engine ships with (cms/search/data) and the synonym file format.

Synonym file lines: ``a|b|c`` is a symmetric group, ``a => b|c`` is one-way (a query word "a" also
matches b and c). ``#`` starts a comment. Words are folded like any other text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from cms.search.normalize import fold


@dataclass(frozen=True)
class SynonymRules:
    """Query word -> the words it may also match. Build with ``from_groups``."""

    expansions: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_groups(
        cls,
        groups: Iterable[Sequence[str]],
        one_way: Iterable[tuple[str, Sequence[str]]] = (),
    ) -> SynonymRules:
        expansions: dict[str, list[str]] = {}

        def add(source: str, targets: Iterable[str]) -> None:
            key = _compact(source)
            if not key:
                return
            bucket = expansions.setdefault(key, [])
            for target in targets:
                word = _compact(target)
                if word and word != key and word not in bucket:
                    bucket.append(word)

        for group in groups:
            words = [word for word in group if _compact(word)]
            for word in words:
                add(word, words)
        for source, targets in one_way:
            add(source, targets)
        return cls({key: tuple(words) for key, words in expansions.items() if words})

    def max_key_length(self) -> int:
        return max((len(key) for key in self.expansions), default=0)


def _compact(word: str) -> str:
    return "".join(fold(word).split())


def parse_synonym_lines(lines: Iterable[str]) -> SynonymRules:
    groups: list[list[str]] = []
    one_way: list[tuple[str, list[str]]] = []
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "=>" in line:
            source, targets = line.split("=>", 1)
            one_way.append((source.strip(), [t.strip() for t in targets.split("|")]))
        else:
            groups.append([word.strip() for word in line.split("|")])
    return SynonymRules.from_groups(groups, one_way)


def _data_lines(name: str) -> list[str]:
    text = resources.files("cms.search").joinpath("data", name).read_text(encoding="utf-8")
    return text.splitlines()


def seed_synonyms() -> SynonymRules:
    """The demo synonym list; production loads the editors' list instead."""
    return parse_synonym_lines(_data_lines("seed_synonyms.txt"))


def _words(lines: Iterable[str]) -> list[str]:
    words = []
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if line and not line.startswith("["):
            compact = _compact(line)
            if compact:
                words.append(compact)
    return words


@dataclass(frozen=True)
class Vocabulary:
    stop: frozenset[str]
    weak: frozenset[str]
    places: frozenset[str]
    variant_actions: tuple[str, ...]

    def max_word_length(self) -> int:
        return max(len(word) for word in self.stop | self.weak | self.places)


_PLACE_SUFFIXES = ("省", "市", "区", "县", "镇", "乡", "街道", "新区", "自治州", "自治县")


@cache
def default_vocabulary() -> Vocabulary:
    sections: dict[str, list[str]] = {"stop": [], "weak": []}
    current = "stop"
    for raw in _data_lines("stopwords.txt"):
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            continue
        sections[current].extend(_words([line]))
    places = set()
    for place in _words(_data_lines("places.txt")):
        places.add(place)
        places.update(place + suffix for suffix in _PLACE_SUFFIXES)
    return Vocabulary(
        stop=frozenset(sections["stop"]),
        weak=frozenset(sections["weak"]),
        places=frozenset(places),
        variant_actions=tuple(_words(_data_lines("variant_actions.txt"))),
    )
