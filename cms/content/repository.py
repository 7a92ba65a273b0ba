"""The ``cms_items`` and ``cms_revisions`` collections.

No transactions: a change inserts its revision first (append-only, ``status: pending``), then swaps the
item's pointers with one ``find_one_and_update`` conditioned on the version the caller started from,
then marks the revision adopted. A revision left pending by a lost race or a crash is never pointed at
and never listed, so it is harmless.

Live sequence numbers (for "what changed since N" pollers) are assigned after the publish/unpublish
write: the write sets ``live_seq`` to PENDING_SEQ with a fresh ``live_change`` token, then the counter is
incremented and the number written where the token still matches. A poller that reads the counter
before querying ``live_seq > N`` sees every change either as pending or with a number above its
previous cursor, so none is missed (duplicates are possible and harmless).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from cms.content.models import PENDING_SEQ, Item, Revision
from cms.content.states import State
from server.mongo.indexes import IndexSpec, index, unique

ITEMS = "cms_items"
REVISIONS = "cms_revisions"

INDEXES: list[IndexSpec] = [
    unique(ITEMS, ("kind", 1), ("key", 1)),
    index(ITEMS, ("kind", 1), ("updated_at", -1)),
    index(ITEMS, ("kind", 1), ("is_live", 1)),
    index(ITEMS, ("kind", 1), ("live_seq", 1)),
    index(ITEMS, ("publish_at", 1)),
    index(ITEMS, ("unpublish_at", 1)),
    index(REVISIONS, ("item_id", 1), ("number", -1)),
]

Db = AsyncDatabase[dict[str, Any]]

_SUMMARY_PROJECTION = {"content": 0}


def new_id() -> str:
    return str(ObjectId())


# ------------------------------------------------------------------------------------------ items
async def insert_item(db: Db, doc: dict[str, Any]) -> bool:
    """False when another item of the kind already has the key."""
    try:
        await db[ITEMS].insert_one(doc)
    except DuplicateKeyError:
        return False
    return True


async def find_item(db: Db, kind: str, item_id: str) -> Item | None:
    doc = await db[ITEMS].find_one({"_id": item_id, "kind": kind})
    return Item.from_doc(doc) if doc else None


async def find_item_by_key(db: Db, kind: str, key: str) -> Item | None:
    doc = await db[ITEMS].find_one({"kind": kind, "key": key})
    return Item.from_doc(doc) if doc else None


async def list_items(db: Db, kind: str, *, title_contains: str | None, state: State | None, key: str | None,
                     is_live: bool | None, facets: Mapping[str, Any], offset: int,
                     limit: int) -> tuple[list[Item], int]:
    """``facets``: values the item's ``list_facets`` must have (equal to, or held by a list)."""
    query: dict[str, Any] = {"kind": kind}
    query.update({f"list_facets.{name}": value for name, value in facets.items()})
    if title_contains:
        query["title"] = {"$regex": re.escape(title_contains), "$options": "i"}
    if state is not None:
        query["state"] = state.value
    if key is not None:
        query["key"] = key
    if is_live is not None:
        query["is_live"] = is_live
    total = await db[ITEMS].count_documents(query)
    cursor = db[ITEMS].find(query, {"live": 0}).sort([("updated_at", -1), ("_id", 1)]).skip(offset).limit(limit)
    return [Item.from_doc(doc) async for doc in cursor], total


async def update_item(db: Db, item_id: str, base_version: int, changes: Mapping[str, Any]) -> Item | None:
    """Apply ``changes`` if the item is still at ``base_version``; None if it moved on (or a unique key
    collided: the embedded MongoDB then matches nothing instead of raising, so callers re-read)."""
    try:
        doc = await db[ITEMS].find_one_and_update(
            {"_id": item_id, "version": base_version},
            {"$set": {**changes, "version": base_version + 1}}, return_document=ReturnDocument.AFTER)
    except DuplicateKeyError:
        return None
    return Item.from_doc(doc) if doc else None


async def items_without_list_facets(db: Db, limit: int) -> list[Item]:
    """Items last saved before list filters existed."""
    cursor = db[ITEMS].find({"list_facets": {"$exists": False}}, {"live": 0}).limit(limit)
    return [Item.from_doc(doc) async for doc in cursor]


async def fill_list_facets(db: Db, item_id: str, draft_revision: str, facets: Mapping[str, Any]) -> bool:
    """Set an item's list facets unless a save (which sets them itself) came first."""
    result = await db[ITEMS].update_one(
        {"_id": item_id, "draft_revision": draft_revision, "list_facets": {"$exists": False}},
        {"$set": {"list_facets": dict(facets)}})
    return result.modified_count == 1


async def assign_live_seq(db: Db, item_id: str, change_token: str, seq: int) -> None:
    await db[ITEMS].update_one({"_id": item_id, "live_change": change_token}, {"$set": {"live_seq": seq}})


async def items_changed_since(db: Db, kind: str, seq: int) -> list[Item]:
    cursor = db[ITEMS].find({"kind": kind, "live_seq": {"$gt": seq}}).sort([("live_seq", 1)])
    return [Item.from_doc(doc) async for doc in cursor]


async def items_with_pending_seq(db: Db, changed_before: datetime, limit: int) -> list[Item]:
    """Items whose sequence number was never assigned (the writer died between the two writes)."""
    cursor = db[ITEMS].find({"live_seq": PENDING_SEQ, "live_changed_at": {"$lte": changed_before}}).limit(limit)
    return [Item.from_doc(doc) async for doc in cursor]


async def items_due_for_publish(db: Db, now: datetime, limit: int) -> list[Item]:
    cursor = db[ITEMS].find({"publish_at": {"$lte": now}}).sort([("publish_at", 1)]).limit(limit)
    return [Item.from_doc(doc) async for doc in cursor]


async def items_due_for_unpublish(db: Db, now: datetime, limit: int) -> list[Item]:
    cursor = db[ITEMS].find({"unpublish_at": {"$lte": now}}).sort([("unpublish_at", 1)]).limit(limit)
    return [Item.from_doc(doc) async for doc in cursor]


async def find_live_item(db: Db, kind: str, item_id: str) -> Item | None:
    doc = await db[ITEMS].find_one({"_id": item_id, "kind": kind, "is_live": True})
    return Item.from_doc(doc) if doc else None


async def list_live_summaries(db: Db, kind: str, facet_conditions: Mapping[str, Any],
                              order: Sequence[tuple[str, int]], offset: int,
                              limit: int) -> tuple[list[dict[str, Any]], int]:
    """The ``live_summary`` of live items matching conditions on their ``facets``, in ``order``."""
    query: dict[str, Any] = {"kind": kind, "is_live": True}
    query.update({f"facets.{name}": condition for name, condition in facet_conditions.items()})
    total = await db[ITEMS].count_documents(query)
    cursor = (db[ITEMS].find(query, {"live_summary": 1, "published_at": 1})
              .sort([*order, ("_id", 1)]).skip(offset).limit(limit))
    return [{"id": doc["_id"], "published_at": doc.get("published_at"), **(doc.get("live_summary") or {})}
            async for doc in cursor], total


# -------------------------------------------------------------------------------------- revisions
async def insert_revision(db: Db, doc: dict[str, Any]) -> None:
    await db[REVISIONS].insert_one({**doc, "status": "pending"})


async def adopt_revision(db: Db, revision_id: str) -> None:
    await db[REVISIONS].update_one({"_id": revision_id}, {"$set": {"status": "adopted"}})


async def discard_revision(db: Db, revision_id: str) -> None:
    await db[REVISIONS].delete_one({"_id": revision_id, "status": "pending"})


async def find_revision(db: Db, item_id: str, revision_id: str) -> Revision | None:
    doc = await db[REVISIONS].find_one({"_id": revision_id, "item_id": item_id})
    return Revision.from_doc(doc) if doc else None


async def list_revisions(db: Db, item: Item) -> list[Revision]:
    """The item's revisions, newest first, without content. Pending ones count only if pointed at
    (adopted but not yet marked when their writer stopped)."""
    pointed = {item.draft_revision, item.live_revision, item.publish_revision}
    cursor = db[REVISIONS].find({"item_id": item.id}, _SUMMARY_PROJECTION).sort([("number", -1), ("_id", -1)])
    return [Revision.from_doc(doc) async for doc in cursor
            if doc.get("status") == "adopted" or doc["_id"] in pointed]
