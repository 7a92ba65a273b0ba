"""Marking the parts of a field that a query matched, as HTML-escaped text with <em>..</em>."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from html import escape

from cms.search.models import SearchDoc
from cms.search.normalize import fold, fold_chars
from cms.search.phonetics import readings
from cms.search.query import QueryPlan


@dataclass(frozen=True)
class Marker:
    """What to look for in a field, derived once per query."""

    texts: tuple[str, ...]  # whole query texts, longest first
    bigrams: frozenset[str]
    chars: frozenset[str]
    all_chars: frozenset[str]
    syllables: frozenset[str]
    syllable_pairs: frozenset[tuple[str, str]]
    initial_pairs: frozenset[tuple[str, str]]

    @classmethod
    def for_plan(cls, plan: QueryPlan) -> Marker:
        # Pieces only of what was typed: a synonym counts where it occurs whole.
        bigrams = {text[i : i + 2] for text in plan.typed for i in range(len(text) - 1)}
        # Single characters only where one was typed alone: elsewhere they would mark too much.
        chars = {text for text in plan.typed if len(text) == 1}
        syllables = plan.syllables
        initials = plan.initials
        return cls(
            texts=tuple(sorted((text for text in plan.texts if len(text) >= 2), key=len, reverse=True)),
            bigrams=frozenset(bigrams),
            chars=frozenset(chars),
            all_chars=frozenset(chars.union(*bigrams, *plan.texts)),
            syllables=frozenset(syllables),
            syllable_pairs=frozenset(itertools.pairwise(syllables)),
            initial_pairs=frozenset(itertools.pairwise(initials)),
        )

    def mark(self, text: str, *, sound: bool = True) -> str | None:
        """The text with matched runs in <em>; None when nothing in it matched."""
        if len(self.texts) == 1 and self.texts[0] in text and not _NEEDS_ESCAPE.intersection(text):
            # One query text, found as written: the common case, done in one call.
            return text.replace(self.texts[0], "<em>" + self.texts[0] + "</em>")
        folded = fold(text)
        if not sound and self.all_chars.isdisjoint(folded):
            return None
        if len(folded) == len(text):
            marked = self._marked(folded)
        else:  # folding changed the length (zero-width or compatibility characters): per character
            per_char = fold_chars(text)
            kept = [i for i, ch in enumerate(per_char) if ch.strip()]
            compact = self._marked("".join(per_char[i][:1] for i in kept))
            marked = bytearray(len(text))
            for position, index in enumerate(kept):
                if compact[position]:
                    # through the invisible characters up to a marked neighbour
                    following = position + 1 < len(kept) and compact[position + 1]
                    end = kept[position + 1] if following else index + 1
                    marked[index:end] = b"\x01" * (end - index)
        if sound and not any(marked) and (self.syllables or self.initial_pairs):
            self._mark_sounds(fold_chars(text), marked)
        if not any(marked):
            return None
        return render(text, marked)

    def _marked(self, folded: str) -> bytearray:
        marked = bytearray(len(folded))
        find = folded.find
        # Usually the name contains query texts whole: then they are the marks.
        for text in self.texts:
            position = find(text)
            while position >= 0:
                marked[position : position + len(text)] = b"\x01" * len(text)
                position = find(text, position + len(text))
        if any(marked):
            return marked
        present = set(folded)
        for bigram in self.bigrams:
            if bigram[0] not in present or bigram[1] not in present:
                continue
            position = find(bigram)
            while position >= 0:
                marked[position] = marked[position + 1] = 1
                position = find(bigram, position + 1)
        for ch in self.chars:
            if ch not in present:
                continue
            position = find(ch)
            while position >= 0:
                marked[position] = 1
                position = find(ch, position + 1)
        return marked

    def _mark_sounds(self, folded: list[str], marked: bytearray) -> None:
        sounds = [readings(ch) if len(ch) == 1 else () for ch in folded]
        single = next(iter(self.syllables)) if len(self.syllables) == 1 else None
        pairs = self.syllable_pairs
        initial_pairs = self.initial_pairs
        for position in range(len(sounds)):
            current = sounds[position]
            if single is not None and single in current:
                marked[position] = 1
            if position + 1 == len(sounds) or not current:
                continue
            following = sounds[position + 1]
            if following and (
                (current[0][0], following[0][0]) in initial_pairs
                or any((a, b) in pairs for a in current for b in following)
            ):
                marked[position] = marked[position + 1] = 1


def render(text: str, marked: bytearray) -> str:
    out: list[str] = []
    position = 0
    size = len(text)
    while position < size:
        start = marked.find(1, position)
        if start < 0:
            out.append(_escape(text[position:]))
            break
        end = marked.find(0, start)
        if end < 0:
            end = size
        if start > position:
            out.append(_escape(text[position:start]))
        out.append("<em>" + _escape(text[start:end]) + "</em>")
        position = end
    return "".join(out)


_NEEDS_ESCAPE = frozenset("&<>")


def _escape(text: str) -> str:
    return escape(text, quote=False) if "&" in text or "<" in text or ">" in text else text


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
