"""Retried requests get the first answer back (the ``Idempotency-Key`` header).

A key belongs to one citizen and one request (operation + case): the same key for another request is
refused (422 idempotency_key_reused). Only successful answers are remembered: a refused request (say,
422 materials_missing) releases its key, so the citizen can fix the cause and retry with the same key.
While the first request still runs, a concurrent retry is told so (409 idempotency_key_in_use) rather
than running twice. Records expire after a day.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from server.cases import repository
from server.errors import BadRequest, Conflict, Unprocessable

if TYPE_CHECKING:
    from server.deps import Deps

HEADER = "Idempotency-Key"
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
KEEP_FOR = timedelta(days=1)
# A claim older than this belongs to a request that died before finishing; a retry may take it over.
STALE_CLAIM = timedelta(seconds=60)
_ATTEMPTS = 3


class InvalidIdempotencyKey(BadRequest):
    code = "invalid_idempotency_key"
    default_message = "Idempotency-Key 必须是 1 到 200 个可见 ASCII 字符"


class IdempotencyKeyReused(Unprocessable):
    code = "idempotency_key_reused"
    default_message = "该 Idempotency-Key 已用于其他请求"


class IdempotencyKeyInUse(Conflict):
    code = "idempotency_key_in_use"
    default_message = "相同的请求正在处理中，请稍后再试"


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]  # JSON-ready: it is stored and replayed as is


async def answer_once(deps: Deps, *, citizen_id: str, key: str | None, operation: str, target: str,
                      run: Callable[[], Awaitable[Answer]]) -> Answer:
    """``run()``'s answer, or the answer it gave the first time ``key`` was used for this request."""
    if key is None:
        return await run()
    if not _KEY.fullmatch(key):
        raise InvalidIdempotencyKey()
    scoped = f"{citizen_id}:{key}"
    request = {"operation": operation, "target": target}
    for _ in range(_ATTEMPTS):
        now = deps.clock.now()
        claimed, held = await repository.claim_idempotency_key(deps.db, scoped, request, now=now,
                                                               expires_at=now + KEEP_FOR)
        if claimed:
            break
        if held is None:
            continue
        if held["expires_at"] <= now:
            # Past its day: gone, whenever MongoDB's TTL monitor gets to it.
            await repository.drop_expired_idempotency_key(deps.db, scoped, now=now)
            continue
        if held["request"] != request:
            raise IdempotencyKeyReused()
        if held["status"] == "done":
            return Answer(status=int(held["result"]["status"]), body=dict(held["result"]["body"]))
        if await repository.retake_stale_idempotency_claim(deps.db, scoped, claimed_before=now - STALE_CLAIM,
                                                           now=now):
            break
        raise IdempotencyKeyInUse()
    else:
        raise IdempotencyKeyInUse()
    try:
        answer = await run()
    except BaseException:
        await repository.release_idempotency_key(deps.db, scoped)
        raise
    await repository.complete_idempotency_key(deps.db, scoped, {"status": answer.status, "body": answer.body})
    return answer
