"""Folding text to the one form the index compares: simplified, half-width, lower case, no marks.

Both guide fields and queries go through ``fold``, so 證 matches 证, ＡＢＣ matches abc, and invisible or
hostile characters (zero-width spaces, controls, combining marks, lone surrogates) cannot split or break
a word. Folding is character by character so a folded string lines up with its source for highlighting.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache

import opencc

# A query longer than this is cut: no guide name needs more, and the cost stays bounded.
MAX_QUERY_CHARS = 32

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f〇"
_RUN = re.compile(f"([{_HAN}]+)|([^\\s{_HAN}]+)")
_HAN_CHAR = re.compile(f"[{_HAN}]")
# Most distinct characters ever seen stay cached; a flood of random code points must not grow memory.
_FOLD_CACHE_LIMIT = 60_000
_DROP_CATEGORIES = frozenset({"Mn", "Mc", "Me", "Cf", "Cs", "Co", "Cn"})


@cache
def _t2s_table() -> dict[str, str]:
    """Traditional -> simplified per character, taken from OpenCC's t2s conversion.

    Per character (not per phrase) on purpose: index and query must fold a character the same way
    whatever its neighbours, and a table lookup is far cheaper than calling OpenCC per string.
    """
    converter = opencc.OpenCC("t2s")
    chars = [chr(code) for code in range(0x3400, 0xA000)]
    converted = converter.convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):
        return {}
    return {src: dst for src, dst in zip(chars, converted, strict=True) if src != dst and len(dst) == 1}


def _fold_char(ch: str) -> str:
    category = unicodedata.category(ch)
    if category in _DROP_CATEGORIES:
        return ""
    if category[0] in "ZC":
        return " "
    table = _t2s_table()
    out = []
    for part in unicodedata.normalize("NFKC", ch):
        part = table.get(part, part).lower()
        out.append(part if part.isalnum() else " ")
    return "".join(out)


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table that fills itself: lookups of known characters stay in C."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        if len(self) < _FOLD_CACHE_LIMIT:
            self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Simplified, half-width, lower-case text; anything not a letter or digit becomes a space."""
    return text.translate(_FOLD_TABLE)


def fold_chars(text: str) -> list[str]:
    """``fold`` per source character, so position i of the source maps to item i."""
    return [ch.translate(_FOLD_TABLE) for ch in text]


def runs(folded: str) -> Iterator[tuple[str, bool]]:
    """Maximal runs of Han characters (True) and of other letters and digits (False)."""
    for match in _RUN.finditer(folded):
        han, word = match.groups()
        yield (han, True) if han else (word, False)


def is_han(ch: str) -> bool:
    return _HAN_CHAR.match(ch) is not None


def strip_notes(name: str) -> str:
    """The name without bracketed qualifiers such as （县级行使）, which say nothing about the item."""
    return _NOTE.sub("", name)


_NOTE = re.compile(r"[（(][^（()）]*[)）]")
