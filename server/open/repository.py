"""Open apps, used nonces, rate-limit windows and webhook deliveries in MongoDB."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from server.mongo.indexes import IndexSpec, index, ttl
from server.mongo.leasing import lease_next_due

Db = AsyncDatabase[dict[str, Any]]

APPS = "open_apps"
NONCES = "open_nonces"
WINDOWS = "open_rate_windows"
DELIVERIES = "open_webhook_deliveries"
FREE = datetime(1970, 1, 1, tzinfo=UTC)

INDEXES: list[IndexSpec] = [
    ttl(NONCES, "expires_at"),
    ttl(WINDOWS, "expires_at"),
    index(DELIVERIES, ("status", 1), ("next_attempt_at", 1)),
    index(DELIVERIES, ("app_id", 1), ("created_at", -1)),
]


async def insert_app(db: Db, app: dict[str, Any]) -> None:
    await db[APPS].insert_one(app)


async def get_app(db: Db, app_id: str) -> dict[str, Any] | None:
    return await db[APPS].find_one({"_id": app_id})


async def list_apps(db: Db) -> list[dict[str, Any]]:
    return [app async for app in db[APPS].find({}).sort("created_at", 1)]


async def set_app_status(db: Db, app_id: str, status: str, changed: dict[str, Any]) -> bool:
    result = await db[APPS].update_one({"_id": app_id}, {"$set": {"status": status, "status_changed": changed}})
    return result.matched_count == 1


async def set_webhook(db: Db, app_id: str, webhook: dict[str, Any] | None) -> None:
    await db[APPS].update_one({"_id": app_id}, {"$set": {"webhook": webhook}})


async def use_nonce_once(db: Db, app_id: str, nonce: str, now: datetime, expires_at: datetime) -> bool:
    try:
        await db[NONCES].insert_one({"_id": f"{app_id}:{nonce}", "used_at": now, "expires_at": expires_at})
        return True
    except DuplicateKeyError:
        return False


async def count_request(db: Db, app_id: str, window: int, expires_at: datetime) -> int:
    """Requests of ``app_id`` in the window so far, this one included (one counter per app per window)."""
    doc = await db[WINDOWS].find_one_and_update({"_id": f"{app_id}:{window}"},
                                                {"$inc": {"count": 1}, "$set": {"expires_at": expires_at}},
                                                upsert=True, return_document=ReturnDocument.AFTER)
    assert doc is not None
    return int(doc["count"])


async def insert_delivery_once(db: Db, delivery: dict[str, Any]) -> bool:
    try:
        await db[DELIVERIES].insert_one(delivery)
        return True
    except DuplicateKeyError:
        return False


async def lease_next_delivery(db: Db, holder: str, now: datetime, lease_until: datetime) -> dict[str, Any] | None:
    return await lease_next_due(db[DELIVERIES], holder, now, lease_until)


async def finish_delivery(db: Db, delivery_id: str, holder: str, fields: dict[str, Any],
                          attempt: dict[str, Any]) -> None:
    # Attempts are kept as a list replaced whole ($push of sub-documents is unreliable on the embedded server).
    doc = await db[DELIVERIES].find_one({"_id": delivery_id, "lease_holder": holder}, {"attempt_log": 1})
    if doc is None:
        return
    await db[DELIVERIES].update_one({"_id": delivery_id, "lease_holder": holder, "status": "sending"}, {"$set": {
        **fields, "attempt_log": [*doc.get("attempt_log", []), attempt], "lease_holder": None, "lease_until": FREE}})


async def deliveries_of_app(db: Db, app_id: str, limit: int) -> list[dict[str, Any]]:
    return [d async for d in db[DELIVERIES].find({"app_id": app_id}).sort("created_at", -1).limit(limit)]
