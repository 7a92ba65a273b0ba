"""Lock counting under concurrency, on whichever MongoDB the suite runs against."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from server.mongo.indexes import ensure_indexes
from server.staff import repository as repo
from server.staff.roles import Role

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest_asyncio.fixture
async def db(mongo_url: str) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url, tz_aware=True)
    name = f"staff_{uuid.uuid4().hex[:12]}"
    await ensure_indexes(client[name], repo.INDEXES)
    yield client[name]
    await client.drop_database(name)
    await client.close()


async def stored_user(db: AsyncDatabase[dict[str, Any]]) -> str:
    user = await repo.insert_user(db, repo.NewUser(username="qian.yu", display_name="钱宇", roles=(Role.EDITOR,),
                                                   departments=(), password_hash="$argon2id$x"), NOW)
    assert user is not None
    return user.id


@pytest.mark.asyncio
async def test_a_lock_needs_the_failures_and_a_taken_username_is_refused(
        db: AsyncDatabase[dict[str, Any]]) -> None:
    user_id = await stored_user(db)
    await repo.lock_user(db, user_id, NOW + timedelta(minutes=15), min_failures=5)
    user = await repo.find_user(db, user_id)
    assert user is not None
    assert user.locked_until is None  # no recorded failures (say a login succeeded meanwhile): no lock
    assert await repo.insert_user(db, repo.NewUser(username="qian.yu", display_name="x", roles=(Role.ADMIN,),
                                                   departments=(), password_hash="h"), NOW) is None


async def reservations(db: AsyncDatabase[dict[str, Any]], user_id: str, now: datetime, count: int) -> list[bool]:
    return list(await asyncio.gather(*(repo.reserve_password_check(db, user_id, now, max_failures=5)
                                       for _ in range(count))))


@pytest.mark.asyncio
async def test_concurrent_reservations_stop_exactly_at_the_limit(db: AsyncDatabase[dict[str, Any]]) -> None:
    user_id = await stored_user(db)
    assert await reservations(db, user_id, NOW, 1) == [True]  # an earlier failure counts towards the limit
    assert (await reservations(db, user_id, NOW, 20)).count(True) == 4
    user = await repo.find_user(db, user_id)
    assert user is not None
    assert user.failed_logins == 5

    await repo.clear_login_failures(db, user_id)
    assert (await reservations(db, user_id, NOW, 20)).count(True) == 5


@pytest.mark.asyncio
async def test_reservations_wait_out_a_lock_and_then_start_a_fresh_count_once(
        db: AsyncDatabase[dict[str, Any]]) -> None:
    user_id = await stored_user(db)
    assert (await reservations(db, user_id, NOW, 5)).count(True) == 5
    await repo.lock_user(db, user_id, NOW + timedelta(minutes=15), min_failures=5)
    assert (await reservations(db, user_id, NOW + timedelta(minutes=14), 5)).count(True) == 0

    assert (await reservations(db, user_id, NOW + timedelta(minutes=16), 12)).count(True) == 5
    user = await repo.find_user(db, user_id)
    assert user is not None
    assert (user.failed_logins, user.locked_until) == (5, None)
