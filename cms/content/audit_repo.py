"""The ``cms_audit`` collection: one append-only entry per editorial action."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from server.mongo.indexes import IndexSpec, index

AUDIT = "cms_audit"

INDEXES: list[IndexSpec] = [
    index(AUDIT, ("object_id", 1), ("at", -1)),
    index(AUDIT, ("actor_id", 1), ("at", -1)),
    index(AUDIT, ("at", -1)),
]

Db = AsyncDatabase[dict[str, Any]]


async def insert_entry(db: Db, entry: dict[str, Any]) -> None:
    await db[AUDIT].insert_one(entry)


async def find_entries(db: Db, *, object_id: str | None, actor_id: str | None, since: datetime | None,
                       until: datetime | None, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    query: dict[str, Any] = {}
    if object_id is not None:
        query["object_id"] = object_id
    if actor_id is not None:
        query["actor_id"] = actor_id
    moment: dict[str, datetime] = {}
    if since is not None:
        moment["$gte"] = since
    if until is not None:
        moment["$lt"] = until
    if moment:
        query["at"] = moment
    total = await db[AUDIT].count_documents(query)
    cursor = db[AUDIT].find(query).sort([("at", -1), ("_id", -1)]).skip(offset).limit(limit)
    return [doc async for doc in cursor], total
