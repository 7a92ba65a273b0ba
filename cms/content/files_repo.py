"""The ``cms_files`` collection: which stored object belongs to which content item.

Content refers to files by object key; a save only accepts keys recorded here for the same item, and
takes their type and size from here, so a client can neither borrow another item's files nor lie about
what a file is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from server.mongo.indexes import IndexSpec, index

FILES = "cms_files"

INDEXES: list[IndexSpec] = [index(FILES, ("item_id", 1))]

Db = AsyncDatabase[dict[str, Any]]


async def insert_file(db: Db, doc: dict[str, Any]) -> None:
    await db[FILES].insert_one(doc)


async def files_of_item(db: Db, item_id: str, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    cursor = db[FILES].find({"_id": {"$in": list(keys)}, "item_id": item_id})
    return {doc["_id"]: doc async for doc in cursor}
