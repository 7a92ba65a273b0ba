"""Marking the parts of a field that a query matched, as HTML-escaped text with <em>..</em>."""

from __future__ import annotations

import itertools
from functools import lru_cache
from html import escape

from cms.search.models import SearchDoc
from cms.search.normalize import fold, fold_chars
from cms.search.phonetics import readings
from cms.search.query import QueryPlan


class Marker:
    """What to look for in a field, derived once per query."""

    __slots__ = ("_marks", "_pieces", "_sounds", "_typed", "_whole", "texts")

    def __init__(
        self, whole: frozenset[str], typed: frozenset[str], syllables: tuple[str, ...], initials: tuple[str, ...]
    ) -> None:
        self._whole = whole
        self._typed = typed
        self._sounds = (syllables, initials)
        # whole query texts, longest first
        self.texts = tuple(sorted((text for text in whole if len(text) >= 2), key=len, reverse=True))
        self._pieces: _Pieces | None = None
        # A page often shows one name several times (the same item in several counties): each
        # text is marked once.
        self._marks: dict[tuple[str, bool], str | None] = {}

    @classmethod
    def for_plan(cls, plan: QueryPlan) -> Marker:
        return cls(plan.texts, plan.typed, plan.syllables, plan.initials)

    @property
    def pieces(self) -> _Pieces:
        """What is looked for when no whole text matched (most texts need only ``texts``)."""
        if self._pieces is None:
            self._pieces = _Pieces(self._whole, self._typed, *self._sounds)
        return self._pieces

    def mark(self, text: str, *, sound: bool = True) -> str | None:
        """The text with matched runs in <em>; None when nothing in it matched."""
        key = (text, sound)
        marks = self._marks
        if key in marks:
            return marks[key]
        marked = self._mark(text, sound)
        if len(marks) < _MAX_MARKS:
            marks[key] = marked
        return marked

    def _mark(self, text: str, sound: bool) -> str | None:
        texts = self.texts
        if len(texts) == 1 and texts[0] in text and _NEEDS_ESCAPE.isdisjoint(text):
            # One query text, found as written: the common case, done in one call.
            return text.replace(texts[0], "<em>" + texts[0] + "</em>")
        folded = fold(text)
        if len(texts) > 1 and folded == text and _NEEDS_ESCAPE.isdisjoint(text):
            # Of several (synonyms, segments), often one is found, without repeats that touch.
            present = [query_text for query_text in texts if query_text in text]
            if len(present) == 1 and present[0] * 2 not in text:
                return text.replace(present[0], "<em>" + present[0] + "</em>")
        pieces = self.pieces
        if not sound and pieces.all_chars.isdisjoint(folded):
            return None
        # When folding changed the length (zero-width or compatibility characters): per character.
        spans = self._spans(folded) if len(folded) == len(text) else self._spans_through_invisible(text)
        if not spans and sound and (pieces.syllables or pieces.initial_pairs):
            spans = self._sound_spans(_sounds(text))
        return _render_spans(text, spans) if spans else None

    def _spans(self, folded: str) -> list[tuple[int, int]]:
        """(start, end) of every match in the folded text; they may overlap."""
        spans: list[tuple[int, int]] = []
        find = folded.find
        # Usually the name contains query texts whole: then they are the marks.
        for text in [text for text in self.texts if text in folded]:
            size = len(text)
            position = find(text)
            while position >= 0:
                spans.append((position, position + size))
                position = find(text, position + size)
        if spans:
            return spans
        pieces = self.pieces
        for piece in [piece for piece in pieces.bigrams if piece in folded] + [
            piece for piece in pieces.chars if piece in folded
        ]:
            size = len(piece)
            position = find(piece)
            while position >= 0:
                spans.append((position, position + size))
                position = find(piece, position + 1)
        return spans

    def _spans_through_invisible(self, text: str) -> list[tuple[int, int]]:
        per_char = fold_chars(text)
        kept = [i for i, ch in enumerate(per_char) if ch.strip()]
        compact = _marked(self._spans("".join(per_char[i][:1] for i in kept)), len(kept))
        spans = []
        for position, index in enumerate(kept):
            if compact[position]:
                # through the invisible characters up to a marked neighbour
                following = position + 1 < len(kept) and compact[position + 1]
                spans.append((index, kept[position + 1] if following else index + 1))
        return spans

    def _sound_spans(self, sounds: tuple[tuple[str, ...], ...]) -> list[tuple[int, int]]:
        pieces = self.pieces
        single = next(iter(pieces.syllables)) if len(pieces.syllables) == 1 else None
        pairs = pieces.syllable_pairs
        initial_pairs = pieces.initial_pairs
        spans = []
        last = len(sounds) - 1
        for position, current in enumerate(sounds):
            if single is not None and single in current:
                spans.append((position, position + 1))
            if position == last or not current:
                continue
            following = sounds[position + 1]
            if not following:
                continue
            # A query has syllables or initials, seldom both; most characters have one reading.
            if (initial_pairs and (current[0][0], following[0][0]) in initial_pairs) or (
                pairs
                and (
                    (current[0], following[0]) in pairs
                    if len(current) == len(following) == 1
                    else any((a, b) in pairs for a in current for b in following)
                )
            ):
                spans.append((position, position + 2))
        return spans


class _Pieces:
    __slots__ = ("all_chars", "bigrams", "chars", "initial_pairs", "syllable_pairs", "syllables")

    def __init__(
        self, whole: frozenset[str], typed: frozenset[str], syllables: tuple[str, ...], initials: tuple[str, ...]
    ) -> None:
        # Pieces only of what was typed: a synonym counts where it occurs whole.
        self.bigrams = frozenset(text[i : i + 2] for text in typed for i in range(len(text) - 1))
        # Single characters only where one was typed alone: elsewhere they would mark too much.
        self.chars = frozenset(text for text in typed if len(text) == 1)
        # (bigrams and chars are pieces of the texts)
        self.all_chars = frozenset("".join(whole))
        self.syllables = frozenset(syllables)
        self.syllable_pairs = frozenset(itertools.pairwise(syllables))
        self.initial_pairs = frozenset(itertools.pairwise(initials))


@lru_cache(maxsize=4096)
def _sounds(text: str) -> tuple[tuple[str, ...], ...]:
    """The readings of each character of the text (the same guide names come up again and again)."""
    return tuple(readings(ch) if len(ch) == 1 else () for ch in fold_chars(text))


def render(text: str, marked: bytearray) -> str:
    """The text with the marked characters' runs in <em>, HTML-escaped."""
    spans = []
    position = marked.find(1)
    while position >= 0:
        end = marked.find(0, position)
        if end < 0:
            end = len(marked)
        spans.append((position, end))
        position = marked.find(1, end)
    return _render_spans(text, spans) if spans else _escape(text)


def _marked(spans: list[tuple[int, int]], size: int) -> bytearray:
    marked = bytearray(size)
    for start, end in spans:
        marked[start:end] = b"\x01" * (end - start)
    return marked


def _render_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with the union of the (at least one) spans in <em>: overlapping or touching spans
    make one run."""
    plain = _NEEDS_ESCAPE.isdisjoint(text)
    if len(spans) == 1 and plain:
        start, end = spans[0]
        return text[:start] + "<em>" + text[start:end] + "</em>" + text[end:]
    spans.sort()
    out: list[str] = []
    position = 0
    run_start, run_end = spans[0]
    for start, end in (*spans[1:], (len(text) + 1, 0)):
        if start <= run_end:
            if end > run_end:
                run_end = end
            continue
        before, inside = text[position:run_start], text[run_start:run_end]
        if not plain:
            before, inside = _escape(before), _escape(inside)
        out += (before, "<em>", inside, "</em>")
        position = run_end
        run_start, run_end = start, end
    rest = text[position:]
    out.append(rest if plain else _escape(rest))
    return "".join(out)


_NEEDS_ESCAPE = frozenset("&<>")
_MAX_MARKS = 512


def _escape(text: str) -> str:
    return text if _NEEDS_ESCAPE.isdisjoint(text) else escape(text, quote=False)


def highlight_guide(doc: SearchDoc, marker: Marker) -> dict[str, str]:
    """The name, always; when the name did not match, the first alias or other field value that did
    (the reason the guide was found)."""
    name = marker.mark(doc.name)
    found = {"name": name or escape(doc.name)}
    if name:
        return found
    for alias in doc.aliases:
        marked = marker.mark(alias)
        if marked:
            found["aliases"] = marked
            return found
    for field, values in (("materials", doc.materials), ("themes", doc.themes), ("department", [doc.department])):
        for value in values:
            marked = marker.mark(value, sound=False)
            if marked:
                found[field] = marked
                return found
    return found
