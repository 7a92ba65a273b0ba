"""What the data model relies on, checked on whichever MongoDB the suite runs against.

The embedded nx-27017 has gaps (DEVELOPERS notes); these tests pin the behaviour the product depends
on, including the correction made by server.mongo.nx_launch, so a version change that breaks it
fails here first.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from pymongo import AsyncMongoClient, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest_asyncio.fixture
async def things(mongo_url: str) -> AsyncIterator[AsyncCollection[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url, tz_aware=True)
    name = f"gaps_{id(client)}"
    yield client[name].things
    await client.drop_database(name)
    await client.close()


@pytest.mark.asyncio
async def test_datetimes_set_by_update_stay_datetimes_and_compare(things: AsyncCollection[dict[str, Any]]) -> None:
    await things.insert_one({"_id": 1, "at": NOW})
    await things.update_one({"_id": 1}, {"$set": {"at": NOW + timedelta(minutes=1), "other": 1}})
    stored = await things.find_one({"_id": 1})
    assert stored is not None
    assert stored["at"] == NOW + timedelta(minutes=1)
    assert await things.find_one({"at": {"$lte": NOW}}) is None
    assert await things.find_one({"at": {"$gt": NOW}}) is not None


@pytest.mark.asyncio
async def test_find_one_and_update_with_a_version_filter_has_one_winner(
        things: AsyncCollection[dict[str, Any]]) -> None:
    await things.insert_one({"_id": 1, "version": 1, "at": NOW})
    first = await things.find_one_and_update({"_id": 1, "version": 1},
                                             {"$set": {"at": NOW + timedelta(days=1)}, "$inc": {"version": 1}},
                                             return_document=ReturnDocument.AFTER)
    second = await things.find_one_and_update({"_id": 1, "version": 1}, {"$inc": {"version": 1}})
    assert first is not None
    assert first["version"] == 2
    assert second is None


@pytest.mark.asyncio
async def test_range_conditions_on_several_fields_combine(things: AsyncCollection[dict[str, Any]]) -> None:
    await things.insert_many([{"_id": i, "at": NOW + timedelta(hours=i), "n": i} for i in range(5)])
    found = [d["_id"] async for d in things.find({"at": {"$gte": NOW + timedelta(hours=1)}, "n": {"$lt": 3}})]
    assert sorted(found) == [1, 2]


@pytest.mark.asyncio
async def test_keys_of_an_embedded_map_are_tested_set_and_unset_by_dotted_path(
        things: AsyncCollection[dict[str, Any]]) -> None:
    """How a consent notes the message that spent it (server.messages.repository): the embedded MongoDB's
    ``$ne`` matches neither a missing field nor an array element, so a map and ``$exists`` it is."""
    await things.insert_one({"_id": 1, "remaining": 2})

    async def spend(key: str) -> dict[str, Any] | None:
        return await things.find_one_and_update(
            {"_id": 1, "remaining": {"$gt": 0}, f"spending.{key}": {"$exists": False}},
            {"$inc": {"remaining": -1}, "$set": {f"spending.{key}": key}}, return_document=ReturnDocument.AFTER)

    first = await spend("a")
    assert first is not None
    assert first["spending"] == {"a": "a"}
    assert await spend("a") is None  # the same key spends once
    assert await things.find_one({"_id": 1, "spending.a": {"$exists": True}}) is not None
    await things.update_one({"_id": 1}, {"$unset": {"spending.a": ""}})
    second = await spend("b")
    assert second is not None
    assert second["remaining"] == 0
    assert second["spending"] == {"b": "b"}
