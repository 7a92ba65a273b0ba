"""The file journal in MongoDB: stored files of a case (material pages, joint step files, archive manifests) whose
objects may be garbage until the sweep settles them.

An entry is written before a file's objects are stored and removed once the file is recorded in its
case (or its objects are deleted again). What a crash or a failed delete leaves behind stays listed here,
so the sweep (orphan_files.py) finds it without listing the whole object store. ``place`` says where in
the case the file belongs: ``{"slot_id": ...}`` (a material page), ``{"step_id": ...}`` (a step's file) or
``{"archive": ...}`` (the manifest of its electronic archive).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from server.mongo.indexes import IndexSpec, index

Db = AsyncDatabase[dict[str, Any]]

JOURNAL = "case_file_journal"

INDEXES: list[IndexSpec] = [index(JOURNAL, ("since", 1))]


async def note_file_objects(db: Db, file_id: str, case_id: str, place: dict[str, str], keys: list[str],
                            now: datetime) -> None:
    """List the file's objects as possibly garbage; noting a file twice keeps its first time."""
    await db[JOURNAL].update_one(
        {"_id": file_id},
        {"$setOnInsert": {"since": now}, "$set": {"case_id": case_id, "place": place, "keys": keys}},
        upsert=True)


async def forget_file_objects(db: Db, file_id: str) -> None:
    await db[JOURNAL].delete_one({"_id": file_id})


async def files_noted_before(db: Db, moment: datetime, limit: int) -> list[dict[str, Any]]:
    return await db[JOURNAL].find({"since": {"$lt": moment}}).sort("since", 1).limit(limit).to_list()

