"""Filters from the guide list (department, theme, level, item type...): the guides of each facet value.

Most facet values belong to few guides (one department among hundreds), so each value keeps the slots
of its guides; a query's mask is assembled from them.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt

from cms.search.models import FilterValue

Mask = npt.NDArray[np.bool_]


def facet_value(value: object) -> str:
    """Filter values arrive as typed values from the CMS and as strings from a URL: compare as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _values(value: FilterValue | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple | set | frozenset):
        return [facet_value(item) for item in value]
    return [facet_value(value)]


def facet_pairs(filters: Mapping[str, FilterValue | None]) -> set[tuple[str, str]]:
    return {(key, value) for key, raw in filters.items() for value in _values(raw)}


class FacetMasks:
    def __init__(self) -> None:
        self._slots: dict[tuple[str, str], array[int]] = {}
        self._cached: dict[tuple[str, str], npt.NDArray[np.int32]] = {}

    def set(self, slot: int, pairs: Iterable[tuple[str, str]], on: bool) -> None:
        for pair in pairs:
            slots = self._slots.get(pair)
            if on:
                if slots is None:
                    slots = self._slots[pair] = array("i")
                slots.append(slot)
            elif slots is not None and slot in slots:
                slots.remove(slot)
            self._cached.pop(pair, None)

    def slots(self, pair: tuple[str, str]) -> npt.NDArray[np.int32] | None:
        cached = self._cached.get(pair)
        if cached is None:
            slots = self._slots.get(pair)
            if not slots:
                return None
            cached = self._cached[pair] = np.frombuffer(slots, dtype=np.int32).copy()
        return cached

    def mask(self, filters: Mapping[str, FilterValue | None], size: int) -> Mask | None:
        """Guides that match every filter key (any of its values); None when nothing is filtered."""
        combined: Mask | None = None
        for key, raw in filters.items():
            values = _values(raw)
            if not values:  # None or an empty list: the list page sent "any"
                continue
            allowed = np.zeros(size, dtype=np.bool_)
            for value in values:
                slots = self.slots((key, value))
                if slots is not None:
                    allowed[slots[slots < size]] = True
            combined = allowed if combined is None else combined & allowed
        return combined
