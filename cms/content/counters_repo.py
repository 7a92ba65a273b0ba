"""The ``cms_counters`` collection: monotonically increasing numbers, one ``$inc`` each.

``live:<kind>`` counts publishes and unpublishes of a content type (delivery ETags, search pollers);
``catalog`` counts changes of the department and theme lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from server.mongo.indexes import IndexSpec

COUNTERS = "cms_counters"
INDEXES: list[IndexSpec] = []

Db = AsyncDatabase[dict[str, Any]]


def live_counter(kind: str) -> str:
    return f"live:{kind}"


CATALOG_COUNTER = "catalog"


async def increment(db: Db, name: str) -> int:
    doc = await db[COUNTERS].find_one_and_update({"_id": name}, {"$inc": {"value": 1}}, upsert=True,
                                                 return_document=ReturnDocument.AFTER)
    assert doc is not None
    return int(doc["value"])


async def read(db: Db, names: Sequence[str]) -> dict[str, int]:
    """Current values; a counter never incremented reads 0."""
    found = {doc["_id"]: int(doc["value"]) async for doc in db[COUNTERS].find({"_id": {"$in": list(names)}})}
    return {name: found.get(name, 0) for name in names}
