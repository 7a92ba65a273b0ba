"""Messages, consents, and the outbox side of cases in MongoDB.

Leases use a far-past sentinel for "free" rather than None plus ``$or`` (the embedded MongoDB
mis-evaluates ``$or`` next to other conditions); states are strings, never booleans.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from server.identity.models import CitizenIdentity
from server.identity.repository import IDENTITIES
from server.mongo.indexes import IndexSpec, index
from server.mongo.leasing import lease_next_due

Db = AsyncDatabase[dict[str, Any]]

MESSAGES = "messages"
CONSENTS = "message_consents"
FREE = datetime(1970, 1, 1, tzinfo=UTC)

INDEXES: list[IndexSpec] = [
    index(MESSAGES, ("status", 1), ("next_attempt_at", 1)),
    index(MESSAGES, ("case_id", 1), ("created_at", 1)),
    index(CONSENTS, ("citizen_id", 1), ("channel", 1)),
    index(CONSENTS, ("identity_id", 1)),
    # Finding old-format consents by the account they went to (adopt_legacy_consents).
    index(CONSENTS, ("channel", 1), ("recipient", 1)),
    index("cases", ("outbox_pending", 1)),
]


# ---------------------------------------------------------------- the outbox inside cases


async def cases_with_outbox(db: Db, limit: int) -> list[dict[str, Any]]:
    cursor = db.cases.find({"outbox_pending": {"$gt": 0}}, {"_id": 1, "version": 1, "outbox": 1, "number": 1,
                                                            "guide": 1, "applicant": 1, "channel": 1,
                                                            "identity_id": 1})
    return [case async for case in cursor.limit(limit)]


async def drop_relayed_outbox(db: Db, case_id: str, version: int, relayed: set[str]) -> bool:
    """Remove relayed entries if the case is still at ``version``; the version is left alone on purpose.

    Not bumping it keeps an officer's concurrent transition from failing with case_changed; if that
    transition wins and writes the old entries back, the next relay finds them already relayed.
    """
    case = await db.cases.find_one({"_id": case_id, "version": version}, {"outbox": 1})
    if case is None:
        return False
    remaining = [entry for entry in case.get("outbox") or [] if entry["id"] not in relayed]
    result = await db.cases.update_one({"_id": case_id, "version": version},
                                       {"$set": {"outbox": remaining, "outbox_pending": len(remaining)}})
    return result.matched_count == 1


# ---------------------------------------------------------------- messages


async def insert_message_once(db: Db, message: dict[str, Any]) -> bool:
    """True if stored now, False if a message with this id was relayed before."""
    try:
        await db[MESSAGES].insert_one(message)
        return True
    except DuplicateKeyError:
        return False


async def lease_next_message(db: Db, holder: str, now: datetime, lease_until: datetime) -> dict[str, Any] | None:
    """Take one due message: a pending one, else a sending one whose worker died (lease expired)."""
    return await lease_next_due(db[MESSAGES], holder, now, lease_until)


async def mark_consent_reserved(db: Db, message_id: str, holder: str, identity_id: str, recipient: str) -> bool:
    """Record the consent the message took (whose and where it goes), only while this worker still holds
    the message."""
    result = await db[MESSAGES].update_one({"_id": message_id, "lease_holder": holder},
                                           {"$set": {"consent": "reserved", "identity_id": identity_id,
                                                     "recipient": recipient}})
    return result.matched_count == 1


async def finish_message(db: Db, message_id: str, holder: str, fields: dict[str, Any]) -> bool:
    """Record an outcome, only while this worker still holds the message."""
    result = await db[MESSAGES].update_one({"_id": message_id, "lease_holder": holder, "status": "sending"},
                                           {"$set": {**fields, "lease_holder": None, "lease_until": FREE}})
    return result.matched_count == 1


async def messages_of_case(db: Db, case_id: str) -> list[dict[str, Any]]:
    return [message async for message in db[MESSAGES].find({"case_id": case_id}).sort("created_at", 1)]


async def get_message(db: Db, message_id: str) -> dict[str, Any] | None:
    return await db[MESSAGES].find_one({"_id": message_id})


async def count_messages(db: Db, status: str) -> int:
    return await db[MESSAGES].count_documents({"status": status})


async def any_unfinished_message(db: Db) -> bool:
    """Whether a message waits or is being sent (two indexed equality look-ups, no count)."""
    for status in ("pending", "sending"):
        if await db[MESSAGES].find_one({"status": status}, {"_id": 1}) is not None:
            return True
    return False


# ---------------------------------------------------------------- consents
# One document per identity (a provider account) and template, ``_id`` ``identity_id:template_id``; it keeps
# ``citizen_id`` as a link that a merge moves. Older documents were per citizen, channel and template
# (``citizen_id:channel:template_id``, no ``identity_id``); ``adopt_legacy_consents`` converts them.


async def add_one_time_consents(db: Db, consent_id: str, fields: dict[str, Any], count: int) -> None:
    await db[CONSENTS].update_one({"_id": consent_id}, {"$set": fields, "$inc": {"remaining": count}}, upsert=True)


async def set_long_term_consent(db: Db, consent_id: str, fields: dict[str, Any], kind: str) -> None:
    await db[CONSENTS].update_one({"_id": consent_id}, {"$set": {**fields, "long_term": kind}}, upsert=True)


async def get_consent(db: Db, consent_id: str) -> dict[str, Any] | None:
    return await db[CONSENTS].find_one({"_id": consent_id})


async def spend_one_time_consent(db: Db, consent_id: str, message_id: str) -> dict[str, Any] | None:
    """Atomically take one one-time consent for this message, noting the message in the same write;
    None when none is left or this message already took one (see ``consent_spent_for``)."""
    spending = f"spending.{_spending_key(message_id)}"
    return await db[CONSENTS].find_one_and_update(
        {"_id": consent_id, "remaining": {"$gt": 0}, spending: {"$exists": False}},
        {"$inc": {"remaining": -1}, "$set": {spending: message_id}}, return_document=ReturnDocument.AFTER)


def consent_spent_for(consent: dict[str, Any], message_id: str) -> bool:
    """Whether the message took a consent that it has not yet recorded as reserved: its worker died in
    between, and the message must not take a second one."""
    return _spending_key(message_id) in (consent.get("spending") or {})


async def forget_consent_spending(db: Db, consent_id: str, message_id: str) -> None:
    """Once the message itself records its reserved consent, the note on the consent is not needed."""
    await db[CONSENTS].update_one({"_id": consent_id}, {"$unset": {f"spending.{_spending_key(message_id)}": ""}})


def _spending_key(message_id: str) -> str:
    # A field name: no dots, no leading $, whatever a message id looks like.
    return hashlib.sha1(message_id.encode("utf-8"), usedforsecurity=False).hexdigest()[:20]


async def consents_of_identity(db: Db, identity_id: str) -> list[dict[str, Any]]:
    return [consent async for consent in db[CONSENTS].find({"identity_id": identity_id}).sort("template_id", 1)]


async def repoint_consents(db: Db, from_citizen: str, to_citizen: str) -> None:
    """A merge: the consents stay with their identities, only the citizen they link to changes."""
    await db[CONSENTS].update_many({"citizen_id": from_citizen}, {"$set": {"citizen_id": to_citizen}})


def consent_key(identity_id: str, template_id: str) -> str:
    return f"{identity_id}:{template_id}"


async def adopt_legacy_consents(db: Db, identity: CitizenIdentity) -> None:
    """Move old-format consents whose recipient is this identity's account to the identity's own documents.

    An old document's count may include consents other accounts of the citizen gave (that was the bug);
    they all went to its recipient, so the recipient's identity is the fairest owner. Safe to repeat and to
    run concurrently: the new document notes the old one in the write that adds its count, so a second run
    adds nothing (an upsert that finds the note answers DuplicateKey), and the old one goes afterwards.
    """
    legacy = db[CONSENTS].find({"channel": identity.channel.value, "recipient": identity.subject,
                                "identity_id": {"$exists": False}})
    async for old in legacy:
        adopted = f"adopted.{_spending_key(old['_id'])}"
        fields: dict[str, Any] = {
            "identity_id": identity.id, "citizen_id": identity.citizen_id, "channel": identity.channel.value,
            "template_id": old["template_id"], "recipient": identity.subject, "updated_at": old.get("updated_at"),
            adopted: old["_id"]}
        # A message whose worker died after spending the old consent must find its note on the new one.
        fields.update({f"spending.{key}": value for key, value in (old.get("spending") or {}).items()})
        if old.get("long_term"):
            fields["long_term"] = old["long_term"]
        new_id = consent_key(identity.id, old["template_id"])
        try:
            await db[CONSENTS].update_one({"_id": new_id, adopted: {"$exists": False}},
                                          {"$set": fields, "$inc": {"remaining": int(old.get("remaining") or 0)}},
                                          upsert=True)
        except DuplicateKeyError:
            pass  # adopted before; only the removal was left
        await db[CONSENTS].delete_one({"_id": old["_id"], "identity_id": {"$exists": False}})


# ---------------------------------------------------------------- identities, as messages choose them


async def last_used_identity(db: Db, citizen_id: str, channel: str) -> CitizenIdentity | None:
    """The citizen's identity on ``channel`` that logged in last (ties: the newer one)."""
    doc = await db[IDENTITIES].find_one({"citizen_id": citizen_id, "channel": channel},
                                        sort=[("last_login_at", -1), ("created_at", -1), ("_id", -1)])
    return CitizenIdentity.from_doc(doc) if doc else None
