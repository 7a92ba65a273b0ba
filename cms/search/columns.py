"""Per-guide numbers (name length, popularity...) as numpy arrays indexed by slot, growing as needed."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt


class Columns:
    def __init__(self, dtypes: dict[str, type[np.generic]], capacity: int = 1024) -> None:
        self._capacity = capacity
        self._arrays: dict[str, npt.NDArray[Any]] = {
            name: np.zeros(capacity, dtype=dtype) for name, dtype in dtypes.items()
        }

    def set(self, slot: int, values: dict[str, float]) -> None:
        if slot >= self._capacity:
            self._grow(slot + 1)
        for name, value in values.items():
            self._arrays[name][slot] = value

    def view(self, name: str, size: int) -> npt.NDArray[Any]:
        """The first ``size`` values (a view: do not keep it across writes)."""
        if size > self._capacity:
            self._grow(size)
        return self._arrays[name][:size]

    def _grow(self, needed: int) -> None:
        capacity = max(needed, self._capacity * 2)
        for name, array in self._arrays.items():
            grown = np.zeros(capacity, dtype=array.dtype)
            grown[: len(array)] = array
            self._arrays[name] = grown
        self._capacity = capacity
