"""Calendar data in MongoDB: one document per exceptional date, one per covered year."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from server.mongo.indexes import IndexSpec, index

Db = AsyncDatabase[dict[str, Any]]

INDEXES: list[IndexSpec] = [index("calendar_days", ("year", 1))]


async def covered_years(db: Db) -> dict[int, dict[str, Any]]:
    return {int(doc["_id"]): doc async for doc in db.calendar_years.find({})}


async def all_exceptions(db: Db) -> dict[date, bool]:
    return {date.fromisoformat(doc["_id"]): bool(doc["working"]) async for doc in db.calendar_days.find({})}


async def year_days(db: Db, year: int) -> list[dict[str, Any]]:
    return [doc async for doc in db.calendar_days.find({"year": year}).sort("_id", 1)]


async def replace_year(db: Db, year: int, days: list[dict[str, Any]], *, source: str, by: dict[str, Any],
                       now: datetime) -> None:
    """Make ``days`` the year's exceptions. The year document is written last, so a year counts as
    covered only once its days are all in place."""
    await db.calendar_days.delete_many({"year": year, "_id": {"$nin": [d["date"] for d in days]}})
    for day in days:
        doc = {"_id": day["date"], "year": year, "working": day["working"], "name": day.get("name", ""),
               "source": source}
        await db.calendar_days.replace_one({"_id": day["date"]}, doc, upsert=True)
    await db.calendar_years.replace_one({"_id": year}, {"_id": year, "source": source, "updated_by": by,
                                                        "updated_at": now, "days": len(days)}, upsert=True)
    await bump_version(db)


async def insert_year_if_absent(db: Db, year: int, days: list[dict[str, Any]], *, source: str,
                                now: datetime) -> bool:
    existing = await db.calendar_years.find_one({"_id": year})
    if existing is not None:
        return False
    if days:
        try:
            await db.calendar_days.insert_many(
                [{"_id": d["date"], "year": year, "working": d["working"], "name": d.get("name", ""),
                  "source": source} for d in days], ordered=False)
        except DuplicateKeyError:
            pass
        except Exception as exc:  # bulk write errors made only of duplicates mean another process seeded it
            if "E11000" not in str(exc) and "duplicate" not in str(exc).lower():
                raise
    try:
        await db.calendar_years.insert_one({"_id": year, "source": source, "updated_by": None, "updated_at": now,
                                            "days": len(days)})
    except DuplicateKeyError:
        return False
    await bump_version(db)
    return True


async def bump_version(db: Db) -> int:
    doc = await db.counters.find_one_and_update({"_id": "calendar_version"}, {"$inc": {"value": 1}},
                                                upsert=True, return_document=ReturnDocument.AFTER)
    return int(doc["value"]) if doc else 0


async def current_version(db: Db) -> int:
    doc = await db.counters.find_one({"_id": "calendar_version"})
    return int(doc["value"]) if doc else 0
