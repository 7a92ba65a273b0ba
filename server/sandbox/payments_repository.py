"""What the payment simulators remember: trades, refunds and planted bill entries, per provider."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from server.mongo.indexes import IndexSpec, index

Db = AsyncDatabase[dict[str, Any]]

TRADES = "sandbox_trades"
REFUNDS = "sandbox_refunds"
BILL_EXTRAS = "sandbox_bill_extras"
# A refund's "status": "success" (money back), "processing", "abnormal" (WeChat) or "closed".
OPEN_REFUND_STATUSES = ("processing", "abnormal")

INDEXES: list[IndexSpec] = [
    index(TRADES, ("provider", 1), ("paid_on", 1)),
    index(REFUNDS, ("provider", 1), ("settled_on", 1)),
    index(BILL_EXTRAS, ("provider", 1), ("date", 1)),
]


def _key(provider: str, number: str) -> str:
    return f"{provider}:{number}"


async def create_trade_once(db: Db, trade: dict[str, Any]) -> dict[str, Any]:
    """Insert the trade; a repeated create of the same out_trade_no gets the first one back."""
    doc = {"_id": _key(trade["provider"], trade["out_trade_no"]), **trade}
    try:
        await db[TRADES].insert_one(doc)
        return doc
    except DuplicateKeyError:
        found = await db[TRADES].find_one({"_id": doc["_id"]})
        assert found is not None
        return found


async def get_trade(db: Db, provider: str, out_trade_no: str) -> dict[str, Any] | None:
    return await db[TRADES].find_one({"_id": _key(provider, out_trade_no)})


async def mark_trade(db: Db, provider: str, out_trade_no: str, *, from_state: str, to_state: str,
                     changes: dict[str, Any]) -> dict[str, Any] | None:
    """Move a trade from ``from_state`` only (a paid trade cannot close, nor a closed one be paid)."""
    return await db[TRADES].find_one_and_update(
        {"_id": _key(provider, out_trade_no), "state": from_state}, {"$set": {"state": to_state, **changes}},
        return_document=ReturnDocument.AFTER)


async def add_refund_once(db: Db, refund: dict[str, Any], *, refundable_up_to: int) -> dict[str, Any] | None:
    """Record a refund of a trade, at most once per out_refund_no and never past what was paid.

    Answers the refund (the first one for a repeated out_refund_no), or None if it would exceed the payment.
    """
    key = _key(refund["provider"], refund["out_refund_no"])
    existing = await db[REFUNDS].find_one({"_id": key})
    if existing is not None:
        return existing
    trade_id = _key(refund["provider"], refund["out_trade_no"])
    taken = await db[TRADES].find_one_and_update(
        {"_id": trade_id, "refunded_fen": {"$lte": refundable_up_to - refund["amount_fen"]}},
        {"$inc": {"refunded_fen": refund["amount_fen"]}})
    if taken is None:
        return None
    doc = {"_id": key, **refund}
    await db[REFUNDS].insert_one(doc)
    return doc


async def get_refund(db: Db, provider: str, out_refund_no: str) -> dict[str, Any] | None:
    return await db[REFUNDS].find_one({"_id": _key(provider, out_refund_no)})


async def settle_refund(db: Db, provider: str, out_refund_no: str, *, status: str, settled_at: datetime,
                        settled_on: str) -> dict[str, Any] | None:
    """End (or mark abnormal) a refund still open ("processing" or "abnormal"); a closed refund gives its
    amount back to the trade's refundable sum. None if there is no such open refund."""
    changes: dict[str, Any] = {"status": status}
    if status == "success":
        changes.update(settled_at=settled_at, settled_on=settled_on)
    refund = await db[REFUNDS].find_one_and_update(
        {"_id": _key(provider, out_refund_no), "status": {"$in": list(OPEN_REFUND_STATUSES)}}, {"$set": changes},
        return_document=ReturnDocument.AFTER)
    if refund is not None and status == "closed":
        await db[TRADES].update_one({"_id": _key(provider, refund["out_trade_no"])},
                                    {"$inc": {"refunded_fen": -int(refund["amount_fen"])}})
    return refund


async def script_refund_answers(db: Db, provider: str, out_trade_no: str, answers: list[str]) -> bool:
    """Queue how the next refund requests of a trade are answered (one answer per request)."""
    result = await db[TRADES].update_one({"_id": _key(provider, out_trade_no)},
                                         {"$push": {"refund_answers": {"$each": list(answers)}}})
    return result.matched_count == 1


async def next_refund_answer(db: Db, provider: str, out_trade_no: str) -> str | None:
    """Take the first queued answer of the trade's refund requests, if any."""
    before = await db[TRADES].find_one_and_update({"_id": _key(provider, out_trade_no)},
                                                  {"$pop": {"refund_answers": -1}})
    queued = (before or {}).get("refund_answers") or []
    return str(queued[0]) if queued else None


async def trades_paid_on(db: Db, provider: str, day: str) -> list[dict[str, Any]]:
    return [doc async for doc in db[TRADES].find({"provider": provider, "paid_on": day}).sort("paid_at", 1)]


async def refunds_on(db: Db, provider: str, day: str) -> list[dict[str, Any]]:
    """Refunds whose money went back that day: what the day's bill lists."""
    return [doc async for doc in db[REFUNDS].find({"provider": provider, "settled_on": day}).sort("settled_at", 1)]


async def plant_bill_entry(db: Db, entry: dict[str, Any]) -> None:
    await db[BILL_EXTRAS].insert_one(dict(entry))


async def planted_entries(db: Db, provider: str, day: str) -> list[dict[str, Any]]:
    return [doc async for doc in db[BILL_EXTRAS].find({"provider": provider, "date": day})]

