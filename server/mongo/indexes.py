"""Every index of the product, declared next to the repository that needs it, created at start-up.

``create_indexes`` is idempotent, so start-up can always run it. Index names are left to the server:
the embedded MongoDB cannot take custom names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pymongo import IndexModel
from pymongo.asynchronous.database import AsyncDatabase


@dataclass(frozen=True)
class IndexSpec:
    collection: str
    keys: Sequence[tuple[str, int]]
    options: dict[str, Any] = field(default_factory=dict)

    def model(self) -> IndexModel:
        return IndexModel(list(self.keys), **self.options)


def unique(collection: str, *keys: tuple[str, int], **options: Any) -> IndexSpec:
    return IndexSpec(collection, keys, {"unique": True, **options})


def index(collection: str, *keys: tuple[str, int], **options: Any) -> IndexSpec:
    return IndexSpec(collection, keys, options)


def ttl(collection: str, key: str) -> IndexSpec:
    """Documents vanish once ``key`` (a datetime) is in the past."""
    return IndexSpec(collection, [(key, 1)], {"expireAfterSeconds": 0})


async def ensure_indexes(db: AsyncDatabase[Any], specs: Iterable[IndexSpec]) -> None:
    by_collection: dict[str, list[IndexModel]] = {}
    for spec in specs:
        by_collection.setdefault(spec.collection, []).append(spec.model())
    for name, models in by_collection.items():
        await db[name].create_indexes(models)
