"""Posting lists of name and alias features: feature -> slots of the guides that have it.

A posting keeps, per guide, the weight of the field the feature is in (1 for the name, the alias
weight for an alias only). Most postings are all names, so their weights are left out (None): a
query's coverage is then a single bincount.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple, cast

import numpy as np
import numpy.typing as npt

# Platform-sized: numpy counts with these without converting them first.
Slots = npt.NDArray[np.intp]
Weights = npt.NDArray[np.float32]
Vector = npt.NDArray[np.float64]
# Room for float32 rounding of weights summing to 1.
_ROUNDING = 1e-6


class _Posting(NamedTuple):
    slots: Slots
    weights: Weights | None  # None: every guide has the feature in its name
    in_names: int


class Postings:
    def __init__(self, alias_weight: float) -> None:
        self._alias_weight = alias_weight
        self._postings: dict[str, _Posting] = {}
        self._ones: Weights = np.ones(1024, dtype=np.float32)

    def frequency(self, feature: str) -> int:
        """How many guides have the feature in their name or an alias."""
        posting = self._postings.get(feature)
        return len(posting.slots) if posting is not None else 0

    def in_names(self, feature: str) -> int:
        posting = self._postings.get(feature)
        return posting.in_names if posting is not None else 0

    def bulk_add(self, name: dict[str, list[int]], alias: dict[str, list[int]]) -> None:
        for feature, slots in name.items():
            self._append(feature, np.asarray(slots, dtype=np.intp), None)
        for feature, slots in alias.items():
            self._append(feature, np.asarray(slots, dtype=np.intp), self._alias_weight)

    def add(self, slot: int, name: Iterable[str], alias: Iterable[str]) -> None:
        one = np.asarray([slot], dtype=np.intp)
        for feature in name:
            self._append(feature, one, None)
        for feature in alias:
            self._append(feature, one, self._alias_weight)

    def remove(self, slot: int, name: Iterable[str], alias: Iterable[str]) -> None:
        for feature in (*name, *alias):
            posting = self._postings.get(feature)
            if posting is None:
                continue
            kept = posting.slots != slot
            if kept.all():
                continue
            if not kept.any():
                del self._postings[feature]
                continue
            weights = posting.weights[kept] if posting.weights is not None else None
            in_names = int(np.count_nonzero(weights == 1.0)) if weights is not None else int(kept.sum())
            if weights is not None and in_names == len(weights):
                weights = None
            self._postings[feature] = _Posting(posting.slots[kept], weights, in_names)

    def coverage(self, features: Sequence[str], weights: Sequence[float], size: int) -> Vector | None:
        """Per slot: the sum of the weights of the features the guide has (aliases at their weight)."""
        get = self._postings.get
        pairs = zip(features, weights, strict=True)
        found = [(posting, weight) for feature, weight in pairs if (posting := get(feature)) is not None]
        if not found:
            return None
        parts = [posting for posting, _ in found]
        part_weights = [weight for _, weight in found]
        if len(parts) == 1 and parts[0].weights is None:
            # A guide is at most once in a posting: plain assignment, no counting.
            single: Vector = np.zeros(size, dtype=np.float64)
            single[parts[0].slots] = part_weights[0]
            return single
        lengths = [len(part.slots) for part in parts]
        # Weights are counted at float32 precision (as the alias weights are stored).
        narrow = np.asarray(part_weights, dtype=np.float32)
        if any(part.weights is not None for part in parts):
            per_slot = np.repeat(narrow, lengths)
            per_slot *= np.concatenate([self._field_weights(part) for part in parts])
        else:  # widened before repeating: the count then needs no conversion of its own
            per_slot = np.repeat(narrow.astype(np.float64), lengths)
        slots = np.concatenate([part.slots for part in parts]) if len(parts) > 1 else parts[0].slots
        return cast(Vector, np.bincount(slots, weights=per_slot, minlength=size))

    def count_full(self, features: Sequence[str], weights: Sequence[float], coverage: Vector, full: float) -> int:
        """How many guides have ``coverage`` (of these features at these weights) of at least ``full``.

        A guide missing a feature, or having it only in an alias, loses at least a tenth of the
        feature's weight: when that is more than ``1 - full``, only the guides of the feature's
        posting can be full, and the rarest such feature has the fewest to look at.
        """
        needed = (1 - full) / (1 - self._alias_weight) + _ROUNDING
        get = self._postings.get
        postings = [get(feature) for feature, weight in zip(features, weights, strict=True) if weight > needed]
        if any(posting is None for posting in postings):
            return 0
        rarest = min((posting.slots for posting in postings if posting is not None), key=len, default=None)
        if rarest is None or len(rarest) > len(coverage) // 8:  # then one pass over all is cheaper
            return int(np.count_nonzero(coverage >= full))
        return int(np.count_nonzero(coverage[rarest] >= full))

    def _field_weights(self, posting: _Posting) -> Weights:
        if posting.weights is not None:
            return posting.weights
        if len(self._ones) < len(posting.slots):
            self._ones = np.ones(max(len(posting.slots), 2 * len(self._ones)), dtype=np.float32)
        return self._ones[: len(posting.slots)]

    def _append(self, feature: str, slots: Slots, weight: float | None) -> None:
        posting = self._postings.get(feature)
        if posting is None:
            weights = None if weight is None else np.full(len(slots), weight, dtype=np.float32)
            self._postings[feature] = _Posting(slots, weights, 0 if weight is not None else len(slots))
            return
        merged = np.concatenate((posting.slots, slots))
        if posting.weights is None and weight is None:
            weights = None
        else:
            old = posting.weights if posting.weights is not None else np.ones(len(posting.slots), dtype=np.float32)
            new = np.full(len(slots), 1.0 if weight is None else weight, dtype=np.float32)
            weights = np.concatenate((old, new))
        in_names = posting.in_names + (len(slots) if weight is None else 0)
        self._postings[feature] = _Posting(merged, weights, in_names)
