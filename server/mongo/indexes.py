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
from pymongo.errors import OperationFailure


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
    """Documents vanish once ``key`` (a datetime) is in the past (plus ``ensure_indexes``'s ``expired_kept``)."""
    return IndexSpec(collection, [(key, 1)], {"expireAfterSeconds": 0})


async def ensure_indexes(db: AsyncDatabase[Any], specs: Iterable[IndexSpec], *, expired_kept: int = 0) -> None:
    """Create the indexes; TTL indexes keep expired documents ``expired_kept`` seconds longer."""
    by_collection: dict[str, list[IndexSpec]] = {}
    for spec in specs:
        if "expireAfterSeconds" in spec.options:
            spec = IndexSpec(spec.collection, spec.keys, {**spec.options, "expireAfterSeconds": expired_kept})
        by_collection.setdefault(spec.collection, []).append(spec)
    for name, found in by_collection.items():
        try:
            await db[name].create_indexes([spec.model() for spec in found])
        except OperationFailure as error:
            if error.code != _INDEX_OPTIONS_CONFLICT:
                raise
            # A TTL index made with another delay: MongoDB changes it in place only through collMod.
            for spec in found:
                if "expireAfterSeconds" in spec.options:
                    await db.command({"collMod": name, "index": {
                        "keyPattern": dict(spec.keys), "expireAfterSeconds": spec.options["expireAfterSeconds"]}})
            await db[name].create_indexes([spec.model() for spec in found])


_INDEX_OPTIONS_CONFLICT = 85
