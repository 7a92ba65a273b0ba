"""The ``cms_departments``, ``cms_themes`` and ``cms_domains`` collections (small lists, read whole)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from server.mongo.indexes import IndexSpec, index

DEPARTMENTS = "cms_departments"
THEMES = "cms_themes"
DOMAINS = "cms_domains"

INDEXES: list[IndexSpec] = [
    index(DEPARTMENTS, ("sort", 1), ("name", 1)),
    index(THEMES, ("sort", 1), ("name", 1)),
    index(DOMAINS, ("sort", 1), ("name", 1)),
]

Db = AsyncDatabase[dict[str, Any]]


async def insert_entry(db: Db, collection: str, doc: dict[str, Any]) -> bool:
    """False if an entry with that id exists."""
    try:
        await db[collection].insert_one(doc)
    except DuplicateKeyError:
        return False
    return True


async def find_entry(db: Db, collection: str, entry_id: str) -> dict[str, Any] | None:
    return await db[collection].find_one({"_id": entry_id})


async def update_entry(db: Db, collection: str, entry_id: str, changes: Mapping[str, Any]) -> dict[str, Any] | None:
    return await db[collection].find_one_and_update({"_id": entry_id}, {"$set": dict(changes)},
                                                    return_document=ReturnDocument.AFTER)


async def has_entries(db: Db, collection: str) -> bool:
    return await db[collection].find_one({}) is not None


async def list_entries(db: Db, collection: str, *, active_only: bool) -> list[dict[str, Any]]:
    query: dict[str, Any] = {"active": True} if active_only else {}
    return [doc async for doc in db[collection].find(query).sort([("sort", 1), ("name", 1), ("_id", 1)])]


async def entries_by_id(db: Db, collection: str, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {doc["_id"]: doc async for doc in db[collection].find({"_id": {"$in": wanted}})}
