"""Supervision reads of the cases collection: grouped counts, overdue cases, finished cases, export pages.

Every function takes the same scope: ``departments`` (None = every department, for supervisors) and an
optional ``created`` range of ``created_at`` [start, end). Drafts are never counted: they are the
citizen's own business until submitted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from server.cases.states import State

Db = AsyncDatabase[dict[str, Any]]
Created = tuple[datetime | None, datetime | None]

# Top-level fields only: the embedded MongoDB cannot project dotted paths.
_REPORT_FIELDS = {"_id": 1, "number": 1, "state": 1, "guide": 1, "department_id": 1, "applicant": 1,
                  "due_on": 1, "warning_level": 1, "clock_stopped": 1, "clocks": 1, "decision": 1,
                  "delivery": 1, "history": 1, "created_at": 1, "joint": 1}
# nx-27017 may store a boolean set through an update as 1/0; a clock that is not stopped is any of these.
_NOT_STOPPED = [False, 0, None]
_KEY_SEPARATOR = "|"


def _scope(departments: list[str] | None, created: Created) -> dict[str, Any]:
    query: dict[str, Any] = {"state": {"$ne": State.DRAFT.value}}
    if departments is not None:
        query["department_id"] = {"$in": departments}
    start, end = created
    if start is not None or end is not None:
        span: dict[str, Any] = {}
        if start is not None:
            span["$gte"] = start
        if end is not None:
            span["$lt"] = end
        query["created_at"] = span
    return query


async def count_by_department_and_state(db: Db, departments: list[str] | None,
                                        created: Created) -> list[tuple[str | None, str, int]]:
    """(department id, state, number of cases) for every pair that has cases."""
    # nx-27017 leaves a compound group key ({"d": "$department_id", ...}) unevaluated, so the key is one
    # string; department codes and states never contain the separator.
    key = {"$concat": [{"$ifNull": ["$department_id", ""]}, _KEY_SEPARATOR, "$state"]}
    pipeline = [{"$match": _scope(departments, created)}, {"$group": {"_id": key, "count": {"$sum": 1}}}]
    rows = []
    async for row in await db.cases.aggregate(pipeline):
        department, state = str(row["_id"]).split(_KEY_SEPARATOR, 1)
        rows.append((department or None, state, int(row["count"])))
    return rows


async def count_by_warning(db: Db, departments: list[str] | None, created: Created,
                           states: list[str]) -> dict[str, int]:
    """Cases in ``states`` per stored warning level (as last derived at a transition or by the warning job)."""
    match = {**_scope(departments, created), "state": {"$in": states}}
    pipeline = [{"$match": match}, {"$group": {"_id": "$warning_level", "count": {"$sum": 1}}}]
    return {str(row["_id"]): int(row["count"]) async for row in await db.cases.aggregate(pipeline)}


def _overdue_query(departments: list[str] | None, created: Created, states: list[str], today: str) -> dict[str, Any]:
    return {**_scope(departments, created), "state": {"$in": states}, "due_on": {"$lt": today},
            "clock_stopped": {"$in": _NOT_STOPPED}}


async def overdue_cases(db: Db, departments: list[str] | None, created: Created, states: list[str], today: str,
                        *, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Cases whose running clock's deadline was before ``today``, longest overdue first, and their number."""
    query = _overdue_query(departments, created, states, today)
    total = await db.cases.count_documents(query)
    cursor = db.cases.find(query, _REPORT_FIELDS).sort([("due_on", 1), ("number", 1)]).limit(limit)
    return [case async for case in cursor], total


async def count_overdue_by_department(db: Db, departments: list[str] | None, created: Created, states: list[str],
                                     today: str) -> dict[str | None, int]:
    pipeline = [{"$match": _overdue_query(departments, created, states, today)},
                {"$group": {"_id": "$department_id", "count": {"$sum": 1}}}]
    return {row["_id"]: int(row["count"]) async for row in await db.cases.aggregate(pipeline)}


async def decided_cases(db: Db, departments: list[str] | None, created: Created,
                        states: list[str], *, after_number: str, limit: int) -> list[dict[str, Any]]:
    """A page (by case number) of cases in ``states`` (those that reached a decision)."""
    query = {**_scope(departments, created), "state": {"$in": states}, "number": {"$gt": after_number}}
    return [case async for case in db.cases.find(query, _REPORT_FIELDS).sort("number", 1).limit(limit)]


async def export_page(db: Db, departments: list[str] | None, created: Created, *, after_number: str,
                      limit: int) -> list[dict[str, Any]]:
    """A page of every case in scope, in case-number order (numbers start with the date, so chronological)."""
    query = {**_scope(departments, created), "number": {"$gt": after_number}}
    return [case async for case in db.cases.find(query, _REPORT_FIELDS).sort("number", 1).limit(limit)]
