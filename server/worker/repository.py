"""Job leases (one document per job) and job runs (one document per run, append-only)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from server.mongo.indexes import IndexSpec, index

Db = AsyncDatabase[dict[str, Any]]

# A free lease expired long ago. (Not None plus $or: the embedded MongoDB mis-evaluates $or next to
# other conditions.)
FREE = datetime(1970, 1, 1, tzinfo=UTC)

INDEXES: list[IndexSpec] = [
    index("job_runs", ("job", 1), ("started_at", -1)),
    index("job_runs", ("started_at", 1)),
]


async def ensure_job_lease(db: Db, job: str, first_run_at: datetime) -> None:
    # insert-then-ignore instead of an upsert: the embedded MongoDB mishandles $setOnInsert upserts.
    try:
        await db.job_leases.insert_one({"_id": job, "holder": None, "lease_until": FREE,
                                        "next_run_at": first_run_at})
    except DuplicateKeyError:
        pass


async def take_due_lease(db: Db, job: str, holder: str, now: datetime, lease_seconds: float,
                         *, force: bool = False) -> bool:
    query: dict[str, Any] = {"_id": job, "lease_until": {"$lt": now}}
    if not force:
        query["next_run_at"] = {"$lte": now}
    taken = await db.job_leases.find_one_and_update(
        query, {"$set": {"holder": holder, "lease_until": now + timedelta(seconds=lease_seconds)}},
        return_document=ReturnDocument.AFTER)
    return taken is not None


async def renew_lease(db: Db, job: str, holder: str, until: datetime) -> bool:
    """Extend a lease this worker still holds; False when it no longer does."""
    result = await db.job_leases.update_one({"_id": job, "holder": holder}, {"$set": {"lease_until": until}})
    return result.matched_count == 1


async def release_lease(db: Db, job: str, holder: str, next_run_at: datetime) -> None:
    await db.job_leases.update_one({"_id": job, "holder": holder},
                                   {"$set": {"holder": None, "lease_until": FREE, "next_run_at": next_run_at}})


async def record_run_started(db: Db, job: str, holder: str, now: datetime) -> ObjectId:
    result = await db.job_runs.insert_one({"job": job, "worker": holder, "started_at": now,
                                           "finished_at": None, "status": "running"})
    return ObjectId(result.inserted_id)


async def record_run_finished(db: Db, run_id: ObjectId, status: str, now: datetime, *,
                              result: dict[str, Any] | None = None, error: str | None = None) -> None:
    await db.job_runs.update_one({"_id": run_id}, {"$set": {
        "status": status, "finished_at": now, "result": result, "error": error}})


async def recent_runs(db: Db, job: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    query = {"job": job} if job else {}
    return [run async for run in db.job_runs.find(query).sort("started_at", -1).limit(limit)]


async def delete_runs_before(db: Db, cutoff: datetime) -> int:
    result = await db.job_runs.delete_many({"started_at": {"$lt": cutoff}})
    return int(result.deleted_count)
