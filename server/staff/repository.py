"""The ``staff_users`` and ``staff_sessions`` collections.

Lock counting is one ``$inc`` per attempt (never read-modify-write), so concurrent attempts are all
counted; a login takes its count before its password is checked (``reserve_password_check``).
Session documents are keyed by the SHA-256 of the cookie value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from server.mongo.indexes import IndexSpec, index, unique
from server.staff.models import StaffSession, StaffUser
from server.staff.roles import Role

USERS = "staff_users"
SESSIONS = "staff_sessions"

INDEXES: list[IndexSpec] = [
    unique(USERS, ("username", 1)),
    index(SESSIONS, ("user_id", 1)),
    index(SESSIONS, ("absolute_expires_at", 1)),
    index(SESSIONS, ("last_seen_at", 1)),
]

Db = AsyncDatabase[dict[str, Any]]


@dataclass(frozen=True)
class NewUser:
    username: str
    display_name: str
    roles: tuple[Role, ...]
    departments: tuple[str, ...]
    password_hash: str
    domains: tuple[str, ...] = ()


def _as_stored(moment: datetime) -> datetime:
    """MongoDB keeps milliseconds: return what a read will give back, so fresh and read objects agree."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _user(doc: dict[str, Any]) -> StaffUser:
    return StaffUser(
        id=doc["_id"], username=doc["username"], display_name=doc["display_name"],
        roles=tuple(Role(name) for name in doc["roles"]), departments=tuple(doc["departments"]),
        password_hash=doc["password_hash"],
        # The embedded MongoDB stores a boolean written by $set as 1.
        disabled=bool(doc["disabled"]),
        failed_logins=int(doc["failed_logins"]), locked_until=doc["locked_until"],
        created_at=doc["created_at"], updated_at=doc["updated_at"], last_login_at=doc["last_login_at"],
        domains=tuple(doc.get("domains") or ()))


def _session(doc: dict[str, Any]) -> StaffSession:
    return StaffSession(id=doc["_id"], user_id=doc["user_id"], csrf_token=doc["csrf_token"],
                        created_at=doc["created_at"], last_seen_at=doc["last_seen_at"],
                        absolute_expires_at=doc["absolute_expires_at"])


# ------------------------------------------------------------------------------------------ users
async def insert_user(db: Db, user: NewUser, now: datetime) -> StaffUser | None:
    """The stored account, or None when the username is taken."""
    now = _as_stored(now)
    doc = {
        "_id": str(ObjectId()), "username": user.username, "display_name": user.display_name,
        "roles": [role.value for role in user.roles], "departments": list(user.departments),
        "domains": list(user.domains), "password_hash": user.password_hash, "disabled": False, "failed_logins": 0,
        "locked_until": None, "created_at": now, "updated_at": now, "last_login_at": None,
    }
    try:
        await db[USERS].insert_one(doc)
    except DuplicateKeyError:
        return None
    return _user(doc)


async def find_user(db: Db, user_id: str) -> StaffUser | None:
    doc = await db[USERS].find_one({"_id": user_id})
    return _user(doc) if doc else None


async def find_user_by_username(db: Db, username: str) -> StaffUser | None:
    doc = await db[USERS].find_one({"username": username})
    return _user(doc) if doc else None


async def list_users(db: Db, *, offset: int, limit: int) -> tuple[list[StaffUser], int]:
    total = await db[USERS].count_documents({})
    cursor = db[USERS].find({}, sort=[("username", 1)], skip=offset, limit=limit)
    return [_user(doc) async for doc in cursor], total


async def update_profile(db: Db, user_id: str, now: datetime, *, display_name: str | None = None,
                         roles: tuple[Role, ...] | None = None, departments: tuple[str, ...] | None = None,
                         domains: tuple[str, ...] | None = None, disabled: bool | None = None) -> StaffUser | None:
    changes: dict[str, Any] = {"updated_at": now}
    if display_name is not None:
        changes["display_name"] = display_name
    if roles is not None:
        changes["roles"] = [role.value for role in roles]
    if departments is not None:
        changes["departments"] = list(departments)
    if domains is not None:
        changes["domains"] = list(domains)
    if disabled is not None:
        changes["disabled"] = disabled
    doc = await db[USERS].find_one_and_update({"_id": user_id}, {"$set": changes},
                                              return_document=ReturnDocument.AFTER)
    return _user(doc) if doc else None


async def set_password_hash(db: Db, user_id: str, password_hash: str, now: datetime) -> bool:
    result = await db[USERS].update_one(
        {"_id": user_id}, {"$set": {"password_hash": password_hash, "updated_at": now}})
    return result.matched_count == 1


async def upgrade_password_hash(db: Db, user_id: str, old_hash: str, new_hash: str) -> None:
    """Store a rehash with new parameters, unless the password changed meanwhile."""
    await db[USERS].update_one({"_id": user_id, "password_hash": old_hash},
                               {"$set": {"password_hash": new_hash}})


async def reserve_password_check(db: Db, user_id: str, now: datetime, *, max_failures: int) -> bool:
    """Count an attempt as failed before its password is checked; False when the account has none left.

    Filter and increment are one operation, so of any number of concurrent attempts at most
    ``max_failures`` get through, however they interleave. A right password then clears the count.
    """
    # A lock that has run out starts a fresh count with this attempt; exactly one of concurrent attempts
    # can match (it clears the lock), the others go on to the counted filter below.
    restarted = await db[USERS].find_one_and_update(
        {"_id": user_id, "locked_until": {"$ne": None, "$lte": now}},
        {"$set": {"failed_logins": 1, "locked_until": None}}, projection={"_id": 1})
    if restarted is not None:
        return True
    reserved = await db[USERS].find_one_and_update(
        {"_id": user_id, "locked_until": None, "failed_logins": {"$lt": max_failures}},
        {"$inc": {"failed_logins": 1}}, projection={"_id": 1})
    return reserved is not None


async def clear_login_failures(db: Db, user_id: str) -> None:
    await db[USERS].update_one({"_id": user_id}, {"$set": {"failed_logins": 0, "locked_until": None}})


async def lock_user(db: Db, user_id: str, until: datetime, *, min_failures: int) -> None:
    await db[USERS].update_one({"_id": user_id, "failed_logins": {"$gte": min_failures}},
                               {"$set": {"locked_until": until}})


async def record_login_success(db: Db, user_id: str, now: datetime) -> None:
    await db[USERS].update_one({"_id": user_id}, {"$set": {
        "failed_logins": 0, "locked_until": None, "last_login_at": now}})


async def unlock_user(db: Db, user_id: str, now: datetime) -> StaffUser | None:
    doc = await db[USERS].find_one_and_update(
        {"_id": user_id}, {"$set": {"failed_logins": 0, "locked_until": None, "updated_at": now}},
        return_document=ReturnDocument.AFTER)
    return _user(doc) if doc else None


# --------------------------------------------------------------------------------------- sessions
async def insert_session(db: Db, *, session_id: str, user_id: str, csrf_token: str, now: datetime,
                         absolute_expires_at: datetime) -> StaffSession:
    doc = {"_id": session_id, "user_id": user_id, "csrf_token": csrf_token, "created_at": _as_stored(now),
           "last_seen_at": _as_stored(now), "absolute_expires_at": _as_stored(absolute_expires_at)}
    await db[SESSIONS].insert_one(doc)
    return _session(doc)


async def find_session(db: Db, session_id: str) -> StaffSession | None:
    doc = await db[SESSIONS].find_one({"_id": session_id})
    return _session(doc) if doc else None


async def touch_session(db: Db, session_id: str, now: datetime) -> None:
    await db[SESSIONS].update_one({"_id": session_id}, {"$set": {"last_seen_at": now}})


async def delete_session(db: Db, session_id: str) -> None:
    await db[SESSIONS].delete_one({"_id": session_id})


async def delete_user_sessions(db: Db, user_id: str, *, keep: str | None = None) -> int:
    query: dict[str, Any] = {"user_id": user_id}
    if keep is not None:
        query["_id"] = {"$ne": keep}
    result = await db[SESSIONS].delete_many(query)
    return result.deleted_count


async def delete_sessions_ended_before(db: Db, *, absolute_before: datetime, seen_before: datetime) -> int:
    result = await db[SESSIONS].delete_many({"$or": [
        {"absolute_expires_at": {"$lt": absolute_before}},
        {"last_seen_at": {"$lt": seen_before}},
    ]})
    return result.deleted_count
