"""Cases stored before the joint-approval queues come back into their department's queue."""

from __future__ import annotations

import pytest

from server.cases.queue_keys_job import JOB_NAME, fill_missing_queue_keys
from server.clock import FrozenClock
from server.worker.registry import registered_jobs
from tests.conftest import StartServer
from tests.server.cases.staff_factories import (
    LONG_SESSIONS,
    china_morning,
    officer,
    prepare,
    publish_guide,
    submitted_case,
)


@pytest.mark.asyncio
async def test_old_cases_get_their_queue_keys_once(start_server: StartServer) -> None:
    server = await start_server(clock=FrozenClock(china_morning(2026, 11, 16)), **LONG_SESSIONS)
    await prepare(server)
    case = await submitted_case(server, await publish_guide(server))
    await server.deps.db.cases.update_one({"_id": case["_id"]}, {"$unset": {"queue_keys": ""}})
    alice = await officer(server, "alice")
    assert (await alice.get("/staff/v1/cases")).json["total"] == 0

    assert JOB_NAME in registered_jobs()
    assert await fill_missing_queue_keys(server.deps) == {"filled": 1}
    assert [item["id"] for item in (await alice.get("/staff/v1/cases")).json["items"]] == [case["_id"]]
    assert await fill_missing_queue_keys(server.deps) == {"filled": 0}
