"""Short field values that many guides share: departments, materials, themes, item types.

Thousands of guides list 居民身份证 as a material or belong to 区民政局; indexing those n-grams per
guide would make the postings of common characters enormous. Instead each distinct value is indexed
once, a query scores the (few thousand) values, and the matching values pass their score on to their
guides, each field at its own weight (a guide's best matching value counts).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from cms.search.features import text_features
from cms.search.normalize import fold

Vector = npt.NDArray[np.float64]
Slots = npt.NDArray[np.int32]
# A value must match at least this share of a query segment to count for its guides: a material
# sharing one character with the query says nothing.
MIN_VALUE_COVERAGE = 0.5
_SLACK = 1e-9  # rounding room for the bound above
# Up to this many matching values, their guides are looked up one value at a time.
_FEW_VALUES = 16


class FieldValues:
    def __init__(self, field_weights: dict[str, float]) -> None:
        self._field_weights = field_weights
        self._ids: dict[tuple[str, str], int] = {}
        self._weights: list[float] = []
        self._postings: dict[str, list[int]] = {}
        self._owners: list[array[int]] = []
        # numpy copies of the above, rebuilt lazily after a change
        self._cached_postings: dict[str, npt.NDArray[np.intp]] = {}
        self._cached_owners: dict[int, Slots] = {}
        self._cached_weights: npt.NDArray[np.float64] | None = None
        self._cached_index: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.intp]] | None = None

    def add(self, slot: int, values: Iterable[tuple[str, str]]) -> None:
        for value in values:
            value_id = self._ids.get(value)
            if value_id is None:
                value_id = self._new_value(value)
            self._owners[value_id].append(slot)
            self._cached_owners.pop(value_id, None)
            self._cached_index = None

    def remove(self, slot: int, values: Iterable[tuple[str, str]]) -> None:
        for value in values:
            value_id = self._ids.get(value)
            if value_id is not None and slot in self._owners[value_id]:
                self._owners[value_id].remove(slot)
                self._cached_owners.pop(value_id, None)
                self._cached_index = None

    def _new_value(self, value: tuple[str, str]) -> int:
        value_id = len(self._weights)
        self._ids[value] = value_id
        self._weights.append(self._field_weights[value[0]])
        self._owners.append(array("i"))
        for feature in text_features(fold(value[1]), sound=False):
            self._postings.setdefault(feature, []).append(value_id)
            self._cached_postings.pop(feature, None)
        self._cached_weights = None
        return value_id

    def coverage(self, features: Sequence[str], weights: Sequence[float], total: float) -> Vector | None:
        """Per value: the weighted share of the features it has (times its field's weight)."""
        if total <= 0:
            return None
        postings = self._postings
        found = [(feature, weight) for feature, weight in zip(features, weights, strict=True) if feature in postings]
        # No value can have enough of the query (the usual case): skip the arrays.
        if not found or sum(weight for _, weight in found) < (MIN_VALUE_COVERAGE - _SLACK) * total:
            return None
        parts = [self._value_ids(feature) for feature, _ in found]
        ids = np.concatenate(parts) if len(parts) > 1 else parts[0]
        scale = np.repeat(np.asarray([weight for _, weight in found]) / total, [len(part) for part in parts])
        shares = np.bincount(ids, weights=scale, minlength=len(self._weights))
        shares[shares < MIN_VALUE_COVERAGE] = 0.0
        return shares * self._field_weight_vector()

    def scores(self, features: Sequence[str], weights: Sequence[float], total: float, size: int) -> Vector | None:
        """Per guide slot: the best coverage among its values, times the value's field weight."""
        coverage = self.coverage(features, weights, total)
        return None if coverage is None else self.spread(coverage, size)

    def spread(self, value_scores: Vector, size: int) -> Vector | None:
        """Per guide slot: the best score among its values."""
        matched = np.flatnonzero(value_scores > 0.0)
        if not len(matched):
            return None
        scores = np.zeros(size, dtype=np.float64)
        if len(matched) > _FEW_VALUES:
            # A word in hundreds of department names (广安): all their guides in one pass.
            flat, starts, lengths = self._owner_index()
            counts = lengths[matched]
            total = int(counts.sum())
            if not total:
                return None
            ends = np.cumsum(counts)
            positions = np.repeat(starts[matched] - (ends - counts), counts) + np.arange(total)
            np.maximum.at(scores, flat[positions], np.repeat(value_scores[matched], counts))
            return scores
        found = False
        # Ascending, so a guide's best value is written last.
        for value_id in matched[np.argsort(value_scores[matched], kind="stable")]:
            owners = self._owner_slots(int(value_id))
            if len(owners):
                scores[owners] = value_scores[value_id]
                found = True
        return scores if found else None

    def _owner_index(self) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        """Every value's guides in one array: (slots, where each value's start, how many)."""
        if self._cached_index is None:
            lengths = np.fromiter(map(len, self._owners), dtype=np.intp, count=len(self._owners))
            starts = np.zeros(len(lengths), dtype=np.intp)
            np.cumsum(lengths[:-1], out=starts[1:])
            parts = [np.frombuffer(owners, dtype=np.int32) for owners in self._owners]
            flat = np.concatenate(parts).astype(np.intp) if parts else np.zeros(0, dtype=np.intp)
            self._cached_index = (flat, starts, lengths)
        return self._cached_index

    def _value_ids(self, feature: str) -> npt.NDArray[np.intp]:
        cached = self._cached_postings.get(feature)
        if cached is None:
            cached = self._cached_postings[feature] = np.asarray(self._postings[feature], dtype=np.intp)
        return cached

    def _owner_slots(self, value_id: int) -> Slots:
        cached = self._cached_owners.get(value_id)
        if cached is None:
            cached = self._cached_owners[value_id] = np.frombuffer(self._owners[value_id], dtype=np.int32).copy()
        return cached

    def _field_weight_vector(self) -> npt.NDArray[np.float64]:
        if self._cached_weights is None:
            self._cached_weights = np.asarray(self._weights, dtype=np.float64)
        return self._cached_weights
