"""Taking the next due item of a retrying queue (outbox messages, webhook deliveries) under a lease.

An item is ``pending`` (due at ``next_attempt_at``) or ``sending`` under a worker's lease; one whose
worker died is taken again once its lease has expired. One equality query per status: the embedded
MongoDB answers ``status: {"$in": [...]}`` by a scan about ten times slower.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection


async def lease_next_due(collection: AsyncCollection[dict[str, Any]], holder: str, now: datetime,
                         lease_until: datetime) -> dict[str, Any] | None:
    """Take one due item (a pending one first), counting the attempt; None when nothing is due."""
    for status in ("pending", "sending"):
        leased = await collection.find_one_and_update(
            {"status": status, "next_attempt_at": {"$lte": now}, "lease_until": {"$lt": now}},
            {"$set": {"status": "sending", "lease_holder": holder, "lease_until": lease_until},
             "$inc": {"attempts": 1}},
            return_document=ReturnDocument.AFTER)
        if leased is not None:
            return leased
    return None
