"""What the message simulators received, and how a test told them to behave."""

from __future__ import annotations

from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from server.mongo.indexes import IndexSpec, index

Db = AsyncDatabase[dict[str, Any]]

RECEIVED = "sandbox_messages"
BEHAVIOUR = "sandbox_message_behaviour"

INDEXES: list[IndexSpec] = [index(RECEIVED, ("channel", 1), ("recipient", 1), ("received_at", 1))]


async def set_behaviour(db: Db, channel: str, mode: str, count: int, delay_ms: int) -> None:
    await db[BEHAVIOUR].replace_one({"_id": channel}, {"_id": channel, "mode": mode, "remaining": count,
                                                       "delay_ms": delay_ms}, upsert=True)


async def behaviour(db: Db, channel: str) -> dict[str, Any] | None:
    return await db[BEHAVIOUR].find_one({"_id": channel})


async def take_failure(db: Db, channel: str) -> str | None:
    """The failure mode this message gets, if the test asked for one (each failure counted once)."""
    taken = await db[BEHAVIOUR].find_one_and_update({"_id": channel, "remaining": {"$gt": 0}},
                                                    {"$inc": {"remaining": -1}}, return_document=ReturnDocument.AFTER)
    return str(taken["mode"]) if taken is not None else None


async def record_received(db: Db, message: dict[str, Any]) -> None:
    await db[RECEIVED].insert_one(message)


async def received(db: Db, channel: str | None = None, recipient: str | None = None) -> list[dict[str, Any]]:
    query: dict[str, Any] = {}
    if channel:
        query["channel"] = channel
    if recipient:
        query["recipient"] = recipient
    return [message async for message in db[RECEIVED].find(query, {"_id": 0}).sort("received_at", 1)]
