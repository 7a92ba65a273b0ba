"""A real worker process killed with SIGKILL in the middle of a batch: nothing is lost.

Delivery is at-least-once (neither provider takes an idempotency key; see server.messages.delivery): the
one message in flight when the worker died may reach the phone twice, nothing else may.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from server.messages import repository
from server.messages.consents import consent_id, identity_for_message
from server.messages.relay import relay_outboxes
from server.sandbox import messages_repo
from tests.conftest import StartServer
from tests.miniprogram_api.case_factories import until
from tests.server.cases.staff_factories import prepare, publish_guide, submitted_case
from tests.server.messages.factories import FAST_RETRIES, consenting_citizen, received, walk_to_delivered
from tests.support.server import TestServer

CASES = 3
MESSAGES = 7 * CASES


def start_worker(server: TestServer, mongo_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MONGO_URL": mongo_url, "MONGO_DB": server.settings.mongo_db,
           "YIWANG_VAR_DIR": str(server.settings.var_dir), "SANDBOX_BASE_URL": f"{server.url}/_sandbox",
           "WORKER_POLL_SECONDS": "0.1", "MESSAGE_LEASE_SECONDS": "1", "MESSAGE_RETRY_BASE_SECONDS": "0.05",
           "LOG_LEVEL": "WARNING"}
    with log.open("ab") as output:
        return subprocess.Popen([sys.executable, "-m", "server", "worker"], env=env, stdout=output,
                                stderr=subprocess.STDOUT)


def accepted_message_ids(phone: list[dict[str, object]]) -> Counter[str]:
    return Counter(str(m["page"]).rpartition("message=")[2] for m in phone if m["accepted"] == "yes")


@pytest.mark.asyncio
async def test_a_worker_killed_mid_batch_loses_no_message(start_server: StartServer, mongo_url: str,
                                                          tmp_path: Path) -> None:
    server = await start_server(**FAST_RETRIES)
    _, citizen_id = await consenting_citizen(server, consents=MESSAGES)
    await prepare(server)
    guide = await publish_guide(server)
    for _ in range(CASES):
        case = await submitted_case(server, guide, citizen_id=citizen_id)
        await walk_to_delivered(server, case["_id"])
    await relay_outboxes(server.deps)
    await messages_repo.set_behaviour(server.deps.db, "wechat", "temporary", 0, 150)

    log = tmp_path / "worker.log"
    first = start_worker(server, mongo_url, log)
    try:
        assert await until(lambda: _accepted_count(server, 5), seconds=60), log.read_text()
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    delivered_before = sum(accepted_message_ids(await received(server)).values())
    assert delivered_before < MESSAGES  # really killed mid-batch

    second = start_worker(server, mongo_url, log)
    try:
        assert await until(lambda: _all_sent(server), seconds=60), (await _statuses(server), log.read_text())
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=20)

    sent = accepted_message_ids(await received(server))
    messages = [m async for m in server.deps.db[repository.MESSAGES].find({})]
    assert await _statuses(server) == {"sent": MESSAGES}
    assert set(sent) == {m["_id"] for m in messages}  # none lost
    duplicates = {message_id: count for message_id, count in sent.items() if count > 1}
    # At most the one message in flight when the worker died, and only once more.
    assert len(duplicates) <= 1, duplicates
    assert all(count == 2 for count in duplicates.values()), duplicates
    # One consent per message, even for the one whose worker died after spending it.
    template_id = server.settings.wechat_progress_template_id
    identity = await identity_for_message(server.deps, citizen_id, "wechat")
    assert identity is not None
    consent = await repository.get_consent(server.deps.db, consent_id(identity.id, template_id))
    assert consent is not None
    assert consent["remaining"] == 0
    assert not consent.get("spending")


async def _accepted_count(server: TestServer, at_least: int) -> bool:
    return sum(accepted_message_ids(await received(server)).values()) >= at_least


async def _statuses(server: TestServer) -> Counter[str]:
    return Counter([str(m["status"]) async for m in server.deps.db[repository.MESSAGES].find({})])


async def _all_sent(server: TestServer) -> bool:
    await asyncio.sleep(0.1)
    return await repository.count_messages(server.deps.db, "sent") == MESSAGES
