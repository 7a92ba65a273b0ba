"""What the simulators remember: which one-time login codes were already used."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from server.mongo.indexes import IndexSpec, ttl

USED_CODES = "sandbox_used_codes"

INDEXES: list[IndexSpec] = [ttl(USED_CODES, "expires_at")]

# Real codes live five minutes; a used one is remembered a day, far longer than anybody replays it.
_REMEMBER = timedelta(days=1)


async def use_code_once(db: AsyncDatabase[dict[str, Any]], key: str, now: datetime) -> bool:
    """True the first time ``key`` is used, False ever after (across processes)."""
    try:
        await db[USED_CODES].insert_one({"_id": key, "used_at": now, "expires_at": now + _REMEMBER})
        return True
    except DuplicateKeyError:
        return False
