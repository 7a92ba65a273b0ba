"""Index creation at start-up, on whichever MongoDB the suite runs against."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from server.mongo.indexes import ensure_indexes, index, ttl, unique

SPECS = [ttl("sessions", "expires_at"), unique("sessions", ("token", 1)), index("sessions", ("user", 1))]


@pytest_asyncio.fixture
async def db(mongo_url: str) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url, tz_aware=True)
    name = f"indexes_{uuid.uuid4().hex[:12]}"
    yield client[name]
    await client.drop_database(name)
    await client.close()


async def ttl_delays(db: AsyncDatabase[dict[str, Any]]) -> list[int]:
    return [info["expireAfterSeconds"] for info in (await db.sessions.index_information()).values()
            if "expireAfterSeconds" in info]


@pytest.mark.asyncio
async def test_expired_records_are_kept_as_configured_and_a_changed_setting_changes_the_index(
        db: AsyncDatabase[dict[str, Any]]) -> None:
    await ensure_indexes(db, SPECS)
    assert await ttl_delays(db) == [0]
    await ensure_indexes(db, SPECS)  # start-up runs it every time
    await ensure_indexes(db, SPECS, expired_kept=3600)
    assert await ttl_delays(db) == [3600]
    info = await db.sessions.index_information()
    assert [entry.get("unique") for entry in info.values() if entry["key"] == [("token", 1)]] == [True]
    assert len(info) == 4  # _id and the three
