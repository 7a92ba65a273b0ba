"""Search data in MongoDB: editor-managed synonyms and the query log (counts, queries with no result)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from server.mongo.indexes import IndexSpec, index

Db = AsyncDatabase[dict[str, Any]]

INDEXES: list[IndexSpec] = [
    index("search_queries", ("count", -1)),
    index("search_queries", ("no_result_count", -1)),
    index("search_synonyms", ("created_at", -1)),
]

_SYNONYM_VERSION = "search_synonyms_version"


async def synonym_groups(db: Db) -> list[dict[str, Any]]:
    return [doc async for doc in db.search_synonyms.find({}).sort("created_at", -1)]


async def insert_synonym_group(db: Db, doc: dict[str, Any]) -> None:
    await db.search_synonyms.insert_one(doc)
    await bump_synonym_version(db)


async def delete_synonym_group(db: Db, group_id: str) -> bool:
    result = await db.search_synonyms.delete_one({"_id": group_id})
    if result.deleted_count:
        await bump_synonym_version(db)
    return bool(result.deleted_count)


async def bump_synonym_version(db: Db) -> int:
    doc = await db.counters.find_one_and_update({"_id": _SYNONYM_VERSION}, {"$inc": {"value": 1}}, upsert=True,
                                                return_document=ReturnDocument.AFTER)
    return int(doc["value"]) if doc else 0


async def synonym_version(db: Db) -> int:
    doc = await db.counters.find_one({"_id": _SYNONYM_VERSION})
    return int(doc["value"]) if doc else 0


async def add_query_counts(db: Db, counts: Mapping[str, tuple[int, int]], now: datetime) -> None:
    """``counts``: query -> (times searched, times with no result), added to the stored totals. One
    round trip for all of them: a busy process has a thousand distinct queries every few seconds."""
    updates = [
        UpdateOne({"_id": query}, {"$inc": {"count": times, "no_result_count": empty}, "$set": {"last_at": now}},
                  upsert=True)
        for query, (times, empty) in counts.items()
    ]
    if updates:
        await db.search_queries.bulk_write(updates, ordered=False)


async def top_queries(db: Db, *, limit: int, no_result_only: bool) -> list[dict[str, Any]]:
    if no_result_only:
        cursor = db.search_queries.find({"no_result_count": {"$gt": 0}}).sort("no_result_count", -1)
    else:
        cursor = db.search_queries.find({}).sort("count", -1)
    return [doc async for doc in cursor.limit(limit)]


async def applications_per_guide(db: Db) -> dict[str, int]:
    """How often each guide was applied for: the popularity prior of search."""
    pipeline: list[dict[str, Any]] = [{"$match": {"state": {"$ne": "draft"}}},
                                      {"$group": {"_id": "$guide.id", "n": {"$sum": 1}}}]
    return {str(row["_id"]): int(row["n"]) async for row in await db.cases.aggregate(pipeline)}
