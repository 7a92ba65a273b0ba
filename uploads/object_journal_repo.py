"""The object journal in MongoDB: uploaded pages whose objects may be garbage until the sweep settles them.

An entry is written before a page's objects are stored and removed once the page is recorded in its
case (or its objects are deleted again). What a crash or a failed delete leaves behind stays listed here,
so the sweep (uploads/orphans.py) finds it without listing the whole object store.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from server.mongo.indexes import IndexSpec, index

Db = AsyncDatabase[dict[str, Any]]

JOURNAL = "upload_object_journal"

INDEXES: list[IndexSpec] = [index(JOURNAL, ("since", 1))]


async def note_page_objects(db: Db, page_id: str, case_id: str, slot_id: str, keys: list[str],
                            now: datetime) -> None:
    """List the page's objects as possibly garbage; noting a page twice keeps its first time."""
    await db[JOURNAL].update_one(
        {"_id": page_id},
        {"$setOnInsert": {"since": now}, "$set": {"case_id": case_id, "slot_id": slot_id, "keys": keys}},
        upsert=True)


async def forget_page_objects(db: Db, page_id: str) -> None:
    await db[JOURNAL].delete_one({"_id": page_id})


async def pages_noted_before(db: Db, moment: datetime, limit: int) -> list[dict[str, Any]]:
    return await db[JOURNAL].find({"since": {"$lt": moment}}).sort("since", 1).limit(limit).to_list()

