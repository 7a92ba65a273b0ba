"""The ``import_marks`` collection: which version of a bundled data set a database has loaded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from server.mongo.indexes import IndexSpec

IMPORT_MARKS = "import_marks"

INDEXES: list[IndexSpec] = []  # looked up by _id only

Db = AsyncDatabase[dict[str, Any]]


async def loaded_fingerprint(db: Db, data_set: str) -> str | None:
    doc = await db[IMPORT_MARKS].find_one({"_id": data_set})
    return str(doc["fingerprint"]) if doc else None


async def record_loaded(db: Db, data_set: str, fingerprint: str, at: datetime) -> None:
    # Not replace_one(upsert=True): the embedded MongoDB ignores the filter's _id there and inserts anew.
    await db[IMPORT_MARKS].update_one({"_id": data_set}, {"$set": {"fingerprint": fingerprint, "loaded_at": at}},
                                      upsert=True)
