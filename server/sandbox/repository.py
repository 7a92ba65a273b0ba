"""What the simulators remember: which one-time login codes were already used, and the identity checks
(WeChat face checks, Alipay certifications) a test set up."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from server.mongo.indexes import IndexSpec, index, ttl

USED_CODES = "sandbox_used_codes"
FACE_CHECKS = "sandbox_face_checks"
CERTIFICATIONS = "sandbox_certifications"

INDEXES: list[IndexSpec] = [
    ttl(USED_CODES, "expires_at"),
    ttl(FACE_CHECKS, "expires_at"),
    ttl(CERTIFICATIONS, "expires_at"),
    index(CERTIFICATIONS, ("app_id", 1), ("outer_order_no", 1)),
]

# Real codes live five minutes; a used one is remembered a day, far longer than anybody replays it.
_REMEMBER = timedelta(days=1)


async def use_code_once(db: AsyncDatabase[dict[str, Any]], key: str, now: datetime) -> bool:
    """True the first time ``key`` is used, False ever after (across processes)."""
    try:
        await db[USED_CODES].insert_one({"_id": key, "used_at": now, "expires_at": now + _REMEMBER})
        return True
    except DuplicateKeyError:
        return False


async def record_face_check(db: AsyncDatabase[dict[str, Any]], check: dict[str, Any]) -> None:
    await db[FACE_CHECKS].insert_one(check)


async def face_check(db: AsyncDatabase[dict[str, Any]], verify_result: str) -> dict[str, Any] | None:
    return await db[FACE_CHECKS].find_one({"_id": verify_result})


async def certification_of_order(db: AsyncDatabase[dict[str, Any]], app_id: str,
                                 outer_order_no: str) -> dict[str, Any] | None:
    return await db[CERTIFICATIONS].find_one({"app_id": app_id, "outer_order_no": outer_order_no})


async def record_certification(db: AsyncDatabase[dict[str, Any]], certification: dict[str, Any]) -> None:
    await db[CERTIFICATIONS].insert_one(certification)


async def certification(db: AsyncDatabase[dict[str, Any]], certify_id: str) -> dict[str, Any] | None:
    return await db[CERTIFICATIONS].find_one({"_id": certify_id})


async def set_certification_outcome(db: AsyncDatabase[dict[str, Any]], certify_id: str, passed: bool,
                                    now: datetime) -> bool:
    result = await db[CERTIFICATIONS].update_one(
        {"_id": certify_id}, {"$set": {"state": "passed" if passed else "failed", "finished_at": now}})
    return result.matched_count == 1
