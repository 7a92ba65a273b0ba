"""What goes into the search index and what comes out of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

FilterValue = str | int | bool | list[str] | list[int]


@dataclass
class SearchDoc:
    """One live guide, as the index sees it.

    ``popularity`` is any non-negative number (e.g. views + 5 x applications); only its order of
    magnitude matters. ``filters`` holds facet values for equality or membership filters: a list
    value means the guide has several (themes), a scalar one value (level, item_type...).
    """

    id: str
    name: str
    aliases: list[str] = field(default_factory=list)
    department: str = ""
    themes: list[str] = field(default_factory=list)
    materials: list[str] = field(default_factory=list)
    item_type: str = ""
    popularity: float = 0.0
    filters: dict[str, FilterValue] = field(default_factory=dict)


class Hit(NamedTuple):
    """One guide of a result page. A tuple: a page makes ten of them per query, and a frozen dataclass
    costs several times as much to make."""

    doc_id: str
    score: float
    # Field -> HTML-escaped text with the matched parts wrapped in <em>..</em>. "name" is always
    # present; when the name did not match, the alias, material, theme or department that did.
    highlights: dict[str, str]


@dataclass(frozen=True, slots=True)
class SearchResult:
    """``total`` matching guides; ``hits`` is the requested page. Results are cached and shared
    between callers until the next write: read them, do not change them."""

    total: int
    hits: tuple[Hit, ...]
