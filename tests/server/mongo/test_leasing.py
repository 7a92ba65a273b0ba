"""The retrying queues' lease: due pending items first, expired leases taken again, nothing twice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection

from server.mongo.leasing import lease_next_due

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
FREE = datetime(2000, 1, 1, tzinfo=UTC)


@pytest_asyncio.fixture
async def queue(mongo_url: str) -> AsyncIterator[AsyncCollection[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url, tz_aware=True)
    name = f"leasing_{id(client)}"
    yield client[name].queue
    await client.drop_database(name)
    await client.close()


def item(item_id: str, status: str, *, due: datetime = NOW, lease_until: datetime = FREE) -> dict[str, Any]:
    return {"_id": item_id, "status": status, "next_attempt_at": due, "lease_until": lease_until, "attempts": 0}


@pytest.mark.asyncio
async def test_due_items_are_leased_once_and_dead_workers_leases_expire(
        queue: AsyncCollection[dict[str, Any]]) -> None:
    await queue.insert_many([
        item("stuck", "sending", lease_until=NOW - timedelta(seconds=1)),
        item("held", "sending", lease_until=NOW + timedelta(minutes=1)),
        item("later", "pending", due=NOW + timedelta(minutes=1)),
        item("done", "sent"),
        item("due", "pending"),
    ])
    until = NOW + timedelta(seconds=30)
    first = await lease_next_due(queue, "w1", NOW, until)
    second = await lease_next_due(queue, "w2", NOW, until)
    assert first is not None
    assert second is not None
    assert (first["_id"], first["lease_holder"], first["attempts"], first["status"]) == ("due", "w1", 1, "sending")
    assert (second["_id"], second["lease_holder"], second["attempts"]) == ("stuck", "w2", 1)
    assert await lease_next_due(queue, "w3", NOW, until) is None
