"""Turning what a citizen typed into weighted segments, each with the alternatives it may match.

"结婚证丢了怎么补" becomes: 结婚证 (as written, or as it sounds), 丢了 (or 补领 / 补办 / 挂失 ...),
补; 怎么 is dropped. Segmentation is a longest-match over the synonym keys and the word lists
(question words, weak words, places); a listed word is not split off when that would cut a word the
guides themselves use (的 in 目的地): the guides' own bigrams are the dictionary. No general-purpose
segmenter is involved: matching works on n-grams (features.py), so segments only decide what counts
how much and which synonyms apply.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

from cms.search.features import (
    default_syllables,
    han_query_features,
    initials_query_features,
    syllable_query_features,
    word_feature,
)
from cms.search.normalize import MAX_QUERY_CHARS, fold, runs
from cms.search.phonetics import split_pinyin, syllables
from cms.search.vocabulary import SynonymRules, Vocabulary

# How much an alternative is worth next to the text as typed.
SYNONYM_FACTOR = 0.9
SOUND_FACTOR = 0.8
PINYIN_FACTOR = 0.95
INITIALS_FACTOR = 0.85
# How much a segment counts next to a plain one.
WEAK_FACTOR = 0.3
PLACE_FACTOR = 0.15
_MAX_SEGMENTS = 8
_MAX_SOUND_CHARS = 12
_RAW_LIMIT = 256


class Alternative(NamedTuple):
    features: tuple[str, ...]
    weights: tuple[float, ...]
    factor: float
    # How many characters of a guide name a full match accounts for (for precision).
    length: int
    # Han text this alternative stands for; None for sound-only alternatives (pinyin, homophones).
    text: str | None = None
    # Typed pinyin: full syllables, or initials, for the second stage's order check.
    syllables: tuple[str, ...] = ()
    initials: str = ""
    # Synonyms of the segment, scored together: each a group of features that must all be found
    # (a partial overlap with a synonym is noise); ``features`` and ``weights`` are then unused.
    groups: tuple[tuple[str, ...], ...] = ()
    synonyms: tuple[str, ...] = ()


class Segment(NamedTuple):
    source: str
    factor: float
    alternatives: tuple[Alternative, ...]
    # Name characters a full match of this segment accounts for (pinyin: one per syllable).
    length: int
    # Han text to match by sound (homophone typos) when it matches no guide as written.
    sounds_like: str = ""


class QueryPlan(NamedTuple):
    segments: tuple[Segment, ...]
    # For highlighting: every Han text the query may match (typed or synonym), and typed syllables.
    texts: frozenset[str]
    typed: frozenset[str]
    syllables: tuple[str, ...]
    initials: tuple[str, ...]
    # All Han texts in one string, for fast "is this word asked for" checks.
    joined_texts: str

    @property
    def empty(self) -> bool:
        return not self.segments


_PLAIN, _STOP, _WEAK, _PLACE = "plain", "stop", "weak", "place"


class _Token(NamedTuple):
    text: str
    kind: str
    han: bool
    expansions: tuple[str, ...] = ()


class QueryParser:
    def __init__(
        self,
        vocabulary: Vocabulary,
        synonyms: SynonymRules,
        is_known_bigram: Callable[[str], bool],
    ) -> None:
        syllables()  # load now rather than on the first pinyin query
        self._vocabulary = vocabulary
        self._synonyms = synonyms
        self._is_known_bigram = is_known_bigram
        # Listed word -> its kind (a question word first, then weak word, place, synonym key) and
        # synonyms; and their lengths by first character, longest first: most characters start none.
        self._listed: dict[str, tuple[str, tuple[str, ...]]] = {}
        for kind, words in (
            (_PLAIN, [word for word, expansions in synonyms.expansions.items() if expansions]),
            (_PLACE, vocabulary.places),
            (_WEAK, vocabulary.weak),
            (_STOP, vocabulary.stop),
        ):
            self._listed.update((word, (kind, synonyms.expansions.get(word, ()))) for word in words)
        lengths: dict[str, set[int]] = {}
        for word in self._listed:
            lengths.setdefault(word[0], set()).add(len(word))
        self._lengths = {first: sorted(found, reverse=True) for first, found in lengths.items()}

    def parse(self, query: str) -> QueryPlan:
        folded = fold(query[:_RAW_LIMIT])
        tokens: list[_Token] = []
        budget = MAX_QUERY_CHARS
        for run, han in runs(folded):
            if budget <= 0:
                break
            run = run[:budget]
            budget -= len(run)
            if han:
                tokens.extend(self._han_tokens(run))
            else:
                tokens.append(_Token(run, _PLAIN, False, self._synonyms.expansions.get(run, ())))
        tokens = _keep_meaning(tokens)
        # A word typed twice counts once (and a pasted wall of repeats stays cheap).
        unique = list({(token.text, token.kind): token for token in _merge_plain(tokens)}.values())
        segments = [segment for segment in map(_segment, unique[:_MAX_SEGMENTS]) if segment.alternatives]
        return _plan(segments)

    def _han_tokens(self, run: str) -> list[_Token]:
        """Listed words, and the runs of other characters between them."""
        tokens: list[_Token] = []
        lengths = self._lengths
        position = plain = 0
        while position < len(run):
            token = self._listed_word_at(run, position) if run[position] in lengths else None
            if token is None:
                position += 1
                continue
            if plain < position:
                tokens.append(_Token(run[plain:position], _PLAIN, True))
            tokens.append(token)
            position = plain = position + len(token.text)
        if plain < len(run):
            tokens.append(_Token(run[plain:], _PLAIN, True))
        return tokens

    def _listed_word_at(self, run: str, start: int) -> _Token | None:
        listed = self._listed
        for length in self._lengths[run[start]]:
            end = start + length
            if end > len(run):
                continue
            word = run[start:end]
            found = listed.get(word)
            if found is None:
                continue
            kind, expansions = found
            # Words the guides use across this boundary win over a listed word cut out of them.
            if (kind != _PLAIN or length == 1) and self._cuts_a_word(run, start, end):
                continue
            return _Token(word, kind, True, expansions)
        return None

    def _cuts_a_word(self, run: str, start: int, end: int) -> bool:
        before = start > 0 and self._is_known_bigram(run[start - 1 : start + 1])
        after = end < len(run) and self._is_known_bigram(run[end - 1 : end + 1])
        return before or after


def _keep_meaning(tokens: list[_Token]) -> list[_Token]:
    """Drop question words, unless that would leave nothing to search for."""
    meaningful = [t for t in tokens if t.kind == _PLAIN]
    if meaningful:
        return [t for t in tokens if t.kind != _STOP]
    if any(t.kind != _STOP for t in tokens):
        # Only weak words and places: they are what the citizen is looking for.
        return [_Token(t.text, _PLAIN, t.han, t.expansions) for t in tokens if t.kind != _STOP]
    return [_Token(t.text, _PLAIN, t.han, t.expansions) for t in tokens]


def _merge_plain(tokens: list[_Token]) -> list[_Token]:
    """Adjacent plain Han text without synonyms forms one segment (its bigrams matter), also
    across a dropped question word."""
    merged: list[_Token] = []
    for token in tokens:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and token.han
            and previous.han
            and token.kind == previous.kind == _PLAIN
            and not token.expansions
            and not previous.expansions
        ):
            merged[-1] = _Token(previous.text + token.text, _PLAIN, True)
        else:
            merged.append(token)
    return merged


_FACTORS = {_PLAIN: 1.0, _WEAK: WEAK_FACTOR, _PLACE: PLACE_FACTOR, _STOP: 1.0}


def _segment(token: _Token) -> Segment:
    if token.han:
        alternatives = (_typed_alternative(token.text), *_synonym_alternatives(token))
        # Homophone typos are a short-phrase problem: pasted paragraphs are not checked by sound.
        sounds_like = token.text if 2 <= len(token.text) <= _MAX_SOUND_CHARS else ""
    else:
        alternatives = _word_alternatives(token.text, token.expansions)
        sounds_like = ""
    length = min((alternative.length for alternative in alternatives), default=0)
    return Segment(token.text, _FACTORS[token.kind], alternatives, length, sounds_like)


@lru_cache(maxsize=8192)
def _typed_alternative(text: str) -> Alternative:
    features, weights = han_query_features(text)
    return Alternative(tuple(features), tuple(weights), 1.0, len(text), text)


@lru_cache(maxsize=8192)
def sound_alternative(text: str) -> Alternative | None:
    """Text as it sounds: pairs of the most common readings of its characters."""
    sound = default_syllables(text)
    if len(sound) < 2:
        return None
    features, weights = syllable_query_features(sound)
    return Alternative(tuple(features), tuple(weights), SOUND_FACTOR, len(sound))


def _synonym_alternatives(token: _Token) -> tuple[Alternative, ...]:
    return _synonyms_of(token.text, token.expansions) if token.expansions else ()


@lru_cache(maxsize=8192)
def _synonyms_of(text: str, expansions: tuple[str, ...]) -> tuple[Alternative, ...]:
    words = tuple(
        word
        for word in expansions
        # A synonym spelled inside the typed word (身份证 for 居民身份证, 医保 for 医疗保险) is only a
        # vaguer form of it, and one containing it whole (低保户 for 低保) finds nothing new.
        if not _is_subsequence(word, text) and text not in word
    )
    return (_synonym_alternative(words),) if words else ()


@lru_cache(maxsize=8192)
def _synonym_alternative(words: tuple[str, ...]) -> Alternative:
    groups = tuple(_synonym_group(word) for word in words)
    return Alternative((), (), SYNONYM_FACTOR, min(map(len, words)), groups=groups, synonyms=words)


def _synonym_group(word: str) -> tuple[str, ...]:
    """The features a guide must have to contain the synonym: its bigrams (or its one character)."""
    if not all(han for _, han in runs(word)):
        return (word_feature(word),)
    if len(word) == 1:
        return (word,)
    return tuple(dict.fromkeys(word[i : i + 2] for i in range(len(word) - 1)))


@lru_cache(maxsize=4096)
def _word_alternatives(word: str, expansions: tuple[str, ...]) -> tuple[Alternative, ...]:
    alternatives = [Alternative((word_feature(word),), (1.0,), 1.0, len(word))]
    pieces = split_pinyin(word)
    if pieces:
        if len(pieces) >= 2 and all(full for _, full in pieces):
            sounds = tuple(piece for piece, _ in pieces)
            features, weights = syllable_query_features(sounds)
            alternatives.append(
                Alternative(tuple(features), tuple(weights), PINYIN_FACTOR, len(sounds), syllables=sounds)
            )
        if len(pieces) >= 2:
            initials = "".join(piece[0] for piece, _ in pieces)
            features, weights = initials_query_features(initials)
            alternatives.append(
                Alternative(tuple(features), tuple(weights), INITIALS_FACTOR, len(initials), initials=initials)
            )
    if expansions:
        alternatives.extend(_synonyms_of(word, expansions))
    return tuple(alternatives)


def _plan(segments: list[Segment]) -> QueryPlan:
    texts: set[str] = set()
    typed: set[str] = set()
    typed_syllables: list[str] = []
    typed_initials: list[str] = []
    for segment in segments:
        for alternative in segment.alternatives:
            if alternative.text:
                typed.add(alternative.text)
            elif alternative.synonyms:
                texts.update(word for word in alternative.synonyms if is_han_text(word))
            elif alternative.syllables:
                typed_syllables.extend(alternative.syllables)
            elif alternative.initials:
                typed_initials.extend(alternative.initials)
    texts |= typed
    return QueryPlan(
        tuple(segments),
        frozenset(texts),
        frozenset(typed),
        tuple(typed_syllables),
        tuple(typed_initials),
        "|".join(texts),
    )


def _is_subsequence(short: str, long: str) -> bool:
    remaining = iter(long)
    return all(ch in remaining for ch in short)


@lru_cache(maxsize=8192)
def is_han_text(text: str) -> bool:
    return all(han for _, han in runs(text))
