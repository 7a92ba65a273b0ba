"""Collections of the payments side. Orders themselves live in their case (server.cases.repository);
``payment_orders`` maps a provider's out_trade_no back to its case (insert-only), and
``payment_reconciliations`` keeps one report per provider and day."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from server.mongo.indexes import IndexSpec, index

Db = AsyncDatabase[dict[str, Any]]

ORDER_INDEX = "payment_orders"
RECONCILIATIONS = "payment_reconciliations"

INDEXES: list[IndexSpec] = [
    index(ORDER_INDEX, ("provider", 1), ("created_on", 1)),
    index("cases", ("fees_watch", 1)),
]


async def insert_order_index(db: Db, *, out_trade_no: str, case_id: str, provider: str, amount_fen: int,
                             created_at: datetime, created_on: str) -> None:
    # _id is the out_trade_no: unique by construction.
    await db[ORDER_INDEX].insert_one({"_id": out_trade_no, "case_id": case_id, "provider": provider,
                                      "amount_fen": amount_fen, "created_at": created_at,
                                      "created_on": created_on})


async def case_id_of_trade(db: Db, out_trade_no: str) -> str | None:
    doc = await db[ORDER_INDEX].find_one({"_id": out_trade_no})
    return None if doc is None else str(doc["case_id"])


async def trades_created_on(db: Db, provider: str, days: list[str]) -> list[dict[str, Any]]:
    return [doc async for doc in db[ORDER_INDEX].find({"provider": provider, "created_on": {"$in": days}})]


async def case_ids_with_watched_orders(db: Db, *, after_id: str, limit: int) -> list[str]:
    cursor = db.cases.find({"fees_watch": {"$gt": 0}, "_id": {"$gt": after_id}}, {"_id": 1}).sort("_id", 1)
    return [str(doc["_id"]) async for doc in cursor.limit(limit)]


async def save_reconciliation(db: Db, report: dict[str, Any]) -> None:
    """One report per provider and day: a rerun replaces the earlier one."""
    await db[RECONCILIATIONS].replace_one({"_id": report["_id"]}, report, upsert=True)


async def reconciliations_on(db: Db, day: str) -> list[dict[str, Any]]:
    return [doc async for doc in db[RECONCILIATIONS].find({"date": day}).sort("provider", 1)]
