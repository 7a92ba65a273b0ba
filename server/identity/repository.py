"""Citizens, their channel identities, ID-number claims, sessions and legal persons in MongoDB.

Every write here is a single-document operation (or an ``update_many`` that is safe to repeat), so the
domain can order them to survive a crash at any point without transactions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from server.identity.models import (
    Channel,
    Citizen,
    CitizenIdentity,
    CitizenSession,
    CitizenStatus,
    IdClaim,
    LegalPerson,
    RealName,
    Verification,
    VerificationState,
)
from server.mongo.indexes import IndexSpec, index, ttl, unique

Db = AsyncDatabase[dict[str, Any]]

CITIZENS = "citizens"
IDENTITIES = "citizen_identities"
ID_CLAIMS = "citizen_id_claims"
SESSIONS = "citizen_sessions"
LEGAL_PERSONS = "citizen_legal_persons"
VERIFICATIONS = "citizen_verifications"
VERIFICATION_QUOTAS = "citizen_verification_quotas"
USED_FACE_RESULTS = "citizen_used_face_results"

INDEXES: list[IndexSpec] = [
    unique(IDENTITIES, ("channel", 1), ("app_id", 1), ("subject", 1)),
    index(IDENTITIES, ("citizen_id", 1)),
    index(ID_CLAIMS, ("citizen_id", 1)),
    ttl(SESSIONS, "expires_at"),
    index(SESSIONS, ("citizen_id", 1)),
    unique(LEGAL_PERSONS, ("citizen_id", 1), ("credit_code", 1)),
    index(LEGAL_PERSONS, ("credit_code", 1)),
    ttl(VERIFICATIONS, "expires_at"),
    ttl(VERIFICATION_QUOTAS, "expires_at"),
    ttl(USED_FACE_RESULTS, "expires_at"),
]


def new_id() -> str:
    return str(ObjectId())


# ---------------------------------------------------------------------------------------------- citizens
async def ensure_citizen(db: Db, citizen_id: str, now: datetime) -> None:
    """Create the citizen if it does not exist yet (an identity may already point at it)."""
    try:
        await db[CITIZENS].insert_one({"_id": citizen_id, "status": CitizenStatus.ACTIVE.value, "real_name": None,
                                       "merged_into": None, "created_at": now, "updated_at": now})
    except DuplicateKeyError:
        pass


async def get_citizen(db: Db, citizen_id: str) -> Citizen | None:
    doc = await db[CITIZENS].find_one({"_id": citizen_id})
    return Citizen.from_doc(doc) if doc else None


async def set_real_name_if_unbound(db: Db, citizen_id: str, real_name: RealName) -> bool:
    result = await db[CITIZENS].update_one(
        {"_id": citizen_id, "status": CitizenStatus.ACTIVE.value, "real_name": None},
        {"$set": {"real_name": real_name.to_doc(), "updated_at": real_name.bound_at}})
    return result.modified_count == 1


async def confirm_verified_name(db: Db, citizen_id: str, id_number_index: str, *, name: str, verification: str,
                                now: datetime) -> bool:
    """Record the name and method of a verification of the person already bound (a later name, or the proof
    that a binding made before verifications existed lacked)."""
    result = await db[CITIZENS].update_one(
        {"_id": citizen_id, "real_name.id_number_index": id_number_index},
        {"$set": {"real_name.name": name, "real_name.verification": verification, "updated_at": now}})
    return result.matched_count == 1


async def release_real_name(db: Db, citizen_id: str, id_number_index: str, name: str, *, masked: str,
                            now: datetime) -> bool:
    """Unbind a citizen from a number it holds under ``name``; only the masked facts are kept, for staff."""
    result = await db[CITIZENS].update_one(
        {"_id": citizen_id, "real_name.id_number_index": id_number_index, "real_name.name": name},
        {"$set": {"real_name": None, "released_real_name": {"id_number_masked": masked, "released_at": now},
                  "updated_at": now}})
    return result.modified_count == 1


async def mark_merged_if_unbound(db: Db, citizen_id: str, into: str, now: datetime) -> bool:
    """Mark a citizen without a real name as merged into ``into``; False if it is bound or already merged."""
    result = await db[CITIZENS].update_one(
        {"_id": citizen_id, "status": CitizenStatus.ACTIVE.value, "real_name": None},
        {"$set": {"status": CitizenStatus.MERGED.value, "merged_into": into, "merged_at": now,
                  "updated_at": now}})
    return result.modified_count == 1


# ---------------------------------------------------------------------------------------------- identities
async def find_identity(db: Db, channel: Channel, app_id: str, subject: str) -> CitizenIdentity | None:
    doc = await db[IDENTITIES].find_one({"channel": channel.value, "app_id": app_id, "subject": subject})
    return CitizenIdentity.from_doc(doc) if doc else None


async def get_identity(db: Db, identity_id: str) -> CitizenIdentity | None:
    doc = await db[IDENTITIES].find_one({"_id": identity_id})
    return CitizenIdentity.from_doc(doc) if doc else None


async def insert_identity_or_get_existing(db: Db, identity: CitizenIdentity) -> CitizenIdentity:
    """Insert the identity; if the same account was inserted first by a concurrent login, return that one."""
    doc = {"_id": identity.id, "channel": identity.channel.value, "app_id": identity.app_id,
           "subject": identity.subject, "union_id": identity.union_id, "citizen_id": identity.citizen_id,
           "created_at": identity.created_at, "last_login_at": identity.created_at}
    try:
        await db[IDENTITIES].insert_one(doc)
        return identity
    except DuplicateKeyError:
        existing = await find_identity(db, identity.channel, identity.app_id, identity.subject)
        if existing is None:  # inserted and removed in between: nothing removes identities, so never
            raise
        return existing


async def record_login(db: Db, identity_id: str, union_id: str | None, now: datetime) -> None:
    changes: dict[str, Any] = {"last_login_at": now}
    if union_id:
        changes["union_id"] = union_id
    await db[IDENTITIES].update_one({"_id": identity_id}, {"$set": changes})


async def identities_of(db: Db, citizen_id: str) -> list[CitizenIdentity]:
    cursor = db[IDENTITIES].find({"citizen_id": citizen_id}).sort("created_at", 1)
    return [CitizenIdentity.from_doc(doc) async for doc in cursor]


async def repoint_identities(db: Db, from_citizen: str, to_citizen: str) -> None:
    await db[IDENTITIES].update_many({"citizen_id": from_citizen}, {"$set": {"citizen_id": to_citizen}})


# ---------------------------------------------------------------------------------------------- ID claims
async def claim_id_number(db: Db, claim: IdClaim) -> bool:
    """Claim an ID number for a citizen; False if somebody (maybe the same citizen) holds it already."""
    try:
        await db[ID_CLAIMS].insert_one({"_id": claim.id_number_index, "citizen_id": claim.citizen_id,
                                        "name_digest": claim.name_digest, "created_at": claim.created_at})
        return True
    except DuplicateKeyError:
        return False


async def get_id_claim(db: Db, id_number_index: str) -> IdClaim | None:
    doc = await db[ID_CLAIMS].find_one({"_id": id_number_index})
    return IdClaim.from_doc(doc) if doc else None


async def take_over_id_claim(db: Db, stale: IdClaim, citizen_id: str, name_digest: str, now: datetime) -> bool:
    """Move a stale claim to ``citizen_id``, only if nobody changed it since it was read."""
    result = await db[ID_CLAIMS].update_one(
        {"_id": stale.id_number_index, "citizen_id": stale.citizen_id, "created_at": stale.created_at},
        {"$set": {"citizen_id": citizen_id, "name_digest": name_digest, "created_at": now}})
    return result.modified_count == 1


async def release_id_claims(db: Db, citizen_id: str, *, keep: str | None = None) -> None:
    """Drop claims a citizen holds but does not use (abandoned attempts, merged citizens)."""
    query: dict[str, Any] = {"citizen_id": citizen_id}
    if keep is not None:
        query["_id"] = {"$ne": keep}
    await db[ID_CLAIMS].delete_many(query)


async def release_id_claim(db: Db, id_number_index: str, citizen_id: str) -> None:
    await db[ID_CLAIMS].delete_one({"_id": id_number_index, "citizen_id": citizen_id})


# ---------------------------------------------------------------------------------------------- verifications
async def take_verification_quota(db: Db, key: str, limit: int, expires_at: datetime) -> bool:
    """Count one verification under ``key`` (a citizen and a day); False once ``limit`` are counted."""
    try:
        await db[VERIFICATION_QUOTAS].insert_one({"_id": key, "count": 1, "expires_at": expires_at})
        return True
    except DuplicateKeyError:
        pass
    result = await db[VERIFICATION_QUOTAS].update_one({"_id": key, "count": {"$lt": limit}}, {"$inc": {"count": 1}})
    return result.modified_count == 1


async def insert_verification(db: Db, verification: Verification) -> None:
    await db[VERIFICATIONS].insert_one(verification.to_doc())


async def get_verification(db: Db, verification_id: str) -> Verification | None:
    doc = await db[VERIFICATIONS].find_one({"_id": verification_id})
    return Verification.from_doc(doc) if doc else None


async def move_verification(db: Db, verification_id: str, from_state: VerificationState,
                            to_state: VerificationState, now: datetime) -> bool:
    """Move a verification on, only from the state it was read in (so exactly one request uses it)."""
    result = await db[VERIFICATIONS].update_one({"_id": verification_id, "state": from_state.value},
                                                {"$set": {"state": to_state.value, "updated_at": now}})
    return result.modified_count == 1


async def use_face_result_once(db: Db, digest: str, now: datetime, expires_at: datetime) -> bool:
    """True the first time a face check's result (by digest) is used, False ever after."""
    try:
        await db[USED_FACE_RESULTS].insert_one({"_id": digest, "used_at": now, "expires_at": expires_at})
        return True
    except DuplicateKeyError:
        return False


# ---------------------------------------------------------------------------------------------- sessions
async def insert_session(db: Db, session: CitizenSession) -> None:
    await db[SESSIONS].insert_one({
        "_id": session.id, "citizen_id": session.citizen_id, "identity_id": session.identity_id,
        "channel": session.channel.value, "created_at": session.created_at, "expires_at": session.expires_at,
        "revoked_at": None})


async def get_session(db: Db, session_id: str) -> CitizenSession | None:
    doc = await db[SESSIONS].find_one({"_id": session_id})
    return CitizenSession.from_doc(doc) if doc else None


async def revoke_session(db: Db, session_id: str, now: datetime) -> None:
    await db[SESSIONS].update_one({"_id": session_id, "revoked_at": None}, {"$set": {"revoked_at": now}})


async def repoint_sessions(db: Db, from_citizen: str, to_citizen: str) -> None:
    await db[SESSIONS].update_many({"citizen_id": from_citizen}, {"$set": {"citizen_id": to_citizen}})


async def set_session_citizen(db: Db, session_id: str, citizen_id: str) -> None:
    await db[SESSIONS].update_one({"_id": session_id}, {"$set": {"citizen_id": citizen_id}})


# ---------------------------------------------------------------------------------------------- legal persons
async def insert_legal_person_or_get_existing(db: Db, legal_person: LegalPerson) -> tuple[LegalPerson, bool]:
    """(stored legal person, whether it was created now)."""
    try:
        await db[LEGAL_PERSONS].insert_one({
            "_id": legal_person.id, "citizen_id": legal_person.citizen_id,
            "credit_code": legal_person.credit_code, "name": legal_person.name,
            "bound_at": legal_person.bound_at})
        return legal_person, True
    except DuplicateKeyError:
        doc = await db[LEGAL_PERSONS].find_one({"citizen_id": legal_person.citizen_id,
                                                "credit_code": legal_person.credit_code})
        if doc is None:
            raise
        return LegalPerson.from_doc(doc), False


async def legal_persons_of(db: Db, citizen_id: str) -> list[LegalPerson]:
    cursor = db[LEGAL_PERSONS].find({"citizen_id": citizen_id}).sort("bound_at", 1)
    return [LegalPerson.from_doc(doc) async for doc in cursor]
