"""Cases in MongoDB. A case is one document, replaced whole under a version check, so a transition,
its history entry and everything it changes are one atomic write on any MongoDB."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from server.mongo.indexes import IndexSpec, index, ttl, unique

Db = AsyncDatabase[dict[str, Any]]

INDEXES: list[IndexSpec] = [
    unique("cases", ("number", 1)),
    index("cases", ("applicant.citizen_id", 1), ("created_at", -1)),
    index("cases", ("applicant.citizen_id", 1), ("state", 1)),
    index("cases", ("state", 1), ("updated_at", 1)),
    index("cases", ("department_id", 1), ("state", 1), ("due_on", 1)),
    index("cases", ("state", 1), ("due_on", 1)),
    index("cases", ("queue_keys", 1), ("state", 1)),
    index("cases", ("last_due_on", 1)),
    index("cases", ("due_on", 1)),
    unique("case_idempotency", ("key", 1)),
    ttl("case_idempotency", "expires_at"),
]


async def next_case_sequence(db: Db, day: str) -> int:
    doc = await db.counters.find_one_and_update({"_id": f"case_number:{day}"}, {"$inc": {"value": 1}},
                                                upsert=True, return_document=ReturnDocument.AFTER)
    assert doc is not None
    return int(doc["value"])


async def insert_case(db: Db, case: dict[str, Any]) -> None:
    await db.cases.insert_one(case)


async def get_case(db: Db, case_id: str) -> dict[str, Any] | None:
    return await db.cases.find_one({"_id": case_id})


async def get_case_by_number(db: Db, number: str) -> dict[str, Any] | None:
    return await db.cases.find_one({"number": number})


async def replace_case(db: Db, case: dict[str, Any], *, expected_version: int) -> bool:
    result = await db.cases.replace_one({"_id": case["_id"], "version": expected_version}, case)
    return result.matched_count == 1


async def cases_of_citizen(db: Db, citizen_id: str, *, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    query = {"applicant.citizen_id": citizen_id}
    total = await db.cases.count_documents(query)
    found = [c async for c in db.cases.find(query).sort("created_at", -1).skip(offset).limit(limit)]
    return found, total


async def count_drafts_of_citizen(db: Db, citizen_id: str) -> int:
    return await db.cases.count_documents({"applicant.citizen_id": citizen_id, "state": "draft"})


async def drafts_not_updated_since(db: Db, moment: datetime, limit: int) -> list[dict[str, Any]]:
    """The oldest drafts last changed before ``moment``, at most ``limit``."""
    cursor = db.cases.find({"state": "draft", "updated_at": {"$lt": moment}}).sort("updated_at", 1).limit(limit)
    return await cursor.to_list()


async def cases_in_states(db: Db, states: list[str], *, departments: list[str] | None = None,
                          queue_keys: list[str] | None = None, extra: dict[str, Any] | None = None,
                          offset: int = 0, limit: int = 50,
                          sort: list[tuple[str, int]] | None = None) -> tuple[list[dict[str, Any]], int]:
    """Cases in ``states``, of ``departments`` (their ``department_id``) or matching any of ``queue_keys``
    (see ``joint_model.queue_keys``: the departments and domains that work on a case now)."""
    query: dict[str, Any] = {"state": {"$in": states}, **(extra or {})}
    if departments is not None:
        query["department_id"] = {"$in": departments}
    if queue_keys is not None:
        query["queue_keys"] = {"$in": queue_keys}
    total = await db.cases.count_documents(query)
    cursor = db.cases.find(query).sort(sort or [("due_on", 1), ("number", 1)]).skip(offset).limit(limit)
    return [c async for c in cursor], total


async def cases_without_queue_keys(db: Db, limit: int) -> list[dict[str, Any]]:
    """Cases stored before the staff queue matched on ``queue_keys``."""
    return [c async for c in db.cases.find({"queue_keys": {"$exists": False}}).limit(limit)]


async def fill_queue_keys(db: Db, case_id: Any, queue_keys: list[str]) -> bool:
    """Set a derived field only while it is missing: a transition in between writes it itself."""
    result = await db.cases.update_one({"_id": case_id, "queue_keys": {"$exists": False}},
                                       {"$set": {"queue_keys": queue_keys}})
    return result.modified_count == 1


async def remember_idempotent_result(db: Db, key: str, result: dict[str, Any]) -> dict[str, Any]:
    """Store the first result for ``key``; a later call with the same key gets that first result back."""
    try:
        await db.case_idempotency.insert_one({"key": key, "result": result})
        return result
    except DuplicateKeyError:
        first = await db.case_idempotency.find_one({"key": key})
        assert first is not None
        return dict(first["result"])


async def idempotent_result(db: Db, key: str) -> dict[str, Any] | None:
    doc = await db.case_idempotency.find_one({"key": key})
    return None if doc is None else dict(doc["result"])


async def next_document_sequence(db: Db, series: str, period: str) -> int:
    """The next number of a series of issued documents (受理通知书, 不予受理通知书) within a period."""
    doc = await db.counters.find_one_and_update({"_id": f"document:{series}:{period}"}, {"$inc": {"value": 1}},
                                                upsert=True, return_document=ReturnDocument.AFTER)
    assert doc is not None
    return int(doc["value"])


async def cases_due_by(db: Db, states: list[str], due_by: str, *, after_id: str,
                       limit: int) -> list[dict[str, Any]]:
    """A page (by id) of cases in ``states`` whose nearest deadline is on or before ``due_by``."""
    query = {"state": {"$in": states}, "due_on": {"$lte": due_by}, "_id": {"$gt": after_id}}
    return [c async for c in db.cases.find(query).sort("_id", 1).limit(limit)]


async def latest_deadline(db: Db) -> str | None:
    """The latest deadline (ISO date) of any clock that has one now, or None.

    ``last_due_on`` is set at every transition; ``due_on`` stands in for cases whose last transition
    predates it (their only running clock is then the nearest one). A finished clock leaves both None, so
    no state filter is needed: each is one indexed read of the highest value.
    """
    latest: str | None = None
    for field in ("last_due_on", "due_on"):
        async for doc in db.cases.find({field: {"$type": "string"}}, {field: 1}).sort(field, -1).limit(1):
            value = doc.get(field)
            if isinstance(value, str) and (latest is None or value > latest):
                latest = value
    return latest


async def claim_idempotency_key(db: Db, key: str, request: dict[str, Any], *, now: datetime,
                                expires_at: datetime) -> tuple[bool, dict[str, Any] | None]:
    """Claim ``key`` for a request about to run: (True, None) if this call claimed it, else (False, the
    record holding it: ``status`` "pending" while its request runs, "done" with the ``result`` to replay;
    None if it vanished meanwhile)."""
    try:
        await db.case_idempotency.insert_one({"key": key, "request": request, "status": "pending",
                                              "claimed_at": now, "expires_at": expires_at})
        return True, None
    except DuplicateKeyError:
        return False, await db.case_idempotency.find_one({"key": key})


async def retake_stale_idempotency_claim(db: Db, key: str, *, claimed_before: datetime, now: datetime) -> bool:
    """Take over a pending claim whose request died before finishing (claimed before ``claimed_before``)."""
    found = await db.case_idempotency.find_one_and_update(
        {"key": key, "status": "pending", "claimed_at": {"$lt": claimed_before}}, {"$set": {"claimed_at": now}})
    return found is not None


async def drop_expired_idempotency_key(db: Db, key: str, *, now: datetime) -> None:
    await db.case_idempotency.delete_one({"key": key, "expires_at": {"$lte": now}})


async def complete_idempotency_key(db: Db, key: str, result: dict[str, Any]) -> None:
    await db.case_idempotency.update_one({"key": key}, {"$set": {"status": "done", "result": result}})


async def release_idempotency_key(db: Db, key: str) -> None:
    await db.case_idempotency.delete_one({"key": key, "status": "pending"})
