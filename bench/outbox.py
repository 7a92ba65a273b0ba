"""Progress-message delivery: messages delivered per second to the sandbox by one worker and by two.

    python -m bench.outbox

The real processes: ``python -m server web`` (the sandbox simulators, with the embedded MongoDB) and one
or two ``python -m server worker`` processes attached to it. The simulated WeChat API answers each
message after ``PROVIDER_MS`` (a real provider's round trip), so delivery is bound by waiting, which a
second worker overlaps. Workers are started and idle before the messages are queued; the clock runs
from queueing until every message is ``sent``.

1. ``outbox_one_worker_per_s`` and ``outbox_two_workers_per_s``: the rates (INFO).
2. ``outbox_two_workers_speedup``: two workers' rate over one's, measured in the same run. Target: 1.5.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.serving import free_port, report, server_environment, wait_until_ready
from server.identity import repository as identities
from server.identity.models import Channel, CitizenIdentity
from server.messages import repository
from server.messages.consents import consent_id
from server.messages.relay import message_from_outbox
from server.runtime import open_runtime
from server.sandbox import messages_repo
from server.settings import Settings
from server.worker import repository as worker_repository

MESSAGES = 400
PROVIDER_MS = 50
SPEEDUP_TARGET = 1.5
CITIZEN = "bench-citizen"
IDENTITY = "bench-identity"


async def measure(env: dict[str, str], workers: int, run: str, already_sent: int) -> float:
    """Messages per second delivered by the ``workers`` worker processes just started."""
    runtime = await open_runtime(Settings.from_env(env))
    deps = runtime.deps
    try:
        started = deps.clock.now()
        while True:  # until every worker has finished a job: they are up and polling
            runs = await worker_repository.recent_runs(deps.db, limit=200)
            if len({r["worker"] for r in runs if r["started_at"] >= started and r["status"] == "ok"}) >= workers:
                break
            await asyncio.sleep(0.1)
        template = deps.settings.wechat_progress_template_id
        # Consents belong to an account (identity) of a citizen, and messages spend only that account's.
        await identities.ensure_citizen(deps.db, CITIZEN, deps.clock.now())
        await identities.insert_identity_or_get_existing(deps.db, CitizenIdentity(
            id=IDENTITY, channel=Channel.WECHAT, app_id="bench-app", subject="o-bench-openid", union_id=None,
            citizen_id=CITIZEN, created_at=deps.clock.now()))
        await repository.add_one_time_consents(deps.db, consent_id(IDENTITY, template), {
            "identity_id": IDENTITY, "citizen_id": CITIZEN, "channel": "wechat", "template_id": template,
            "recipient": "o-bench-openid", "updated_at": deps.clock.now()}, MESSAGES)
        case = {"_id": f"bench-{run}", "number": f"YWBENCH{run}", "guide": {"name": "基准测试事项"},
                "applicant": {"citizen_id": CITIZEN}, "channel": "wechat"}
        now = deps.clock.now()
        for number in range(MESSAGES):
            entry = {"id": f"{case['_id']}:{number}:submitted", "kind": "submitted", "data": {}, "history_seq": 1,
                     "queued_at": now}
            await repository.insert_message_once(deps.db, message_from_outbox(case, entry, now, IDENTITY))
        began = time.monotonic()
        while True:
            if not await repository.any_unfinished_message(deps.db):
                elapsed = time.monotonic() - began
                break
            await asyncio.sleep(0.1)
        sent = await repository.count_messages(deps.db, "sent") - already_sent
        if sent != MESSAGES:
            raise RuntimeError(f"{sent} of {MESSAGES} messages sent")
        return MESSAGES / elapsed
    finally:
        await runtime.close()


def with_workers(env: dict[str, str], workers: int, run: str, already_sent: int) -> float:
    processes = [subprocess.Popen([sys.executable, "-m", "server", "worker"], env=env) for _ in range(workers)]
    try:
        return asyncio.run(measure(env, workers, run, already_sent))
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)


async def set_provider_delay(env: dict[str, str]) -> None:
    runtime = await open_runtime(Settings.from_env(env))
    try:
        await messages_repo.set_behaviour(runtime.deps.db, "wechat", "temporary", 0, PROVIDER_MS)
    finally:
        await runtime.close()


def main() -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-outbox-") as directory:
        port = free_port()
        env = server_environment(Path(directory), port, WORKER_POLL_SECONDS="0.05")
        server = subprocess.Popen([sys.executable, "-m", "server", "web"], env=env)
        try:
            asyncio.run(wait_until_ready(f"http://127.0.0.1:{port}", server))
            asyncio.run(set_provider_delay(env))
            one = with_workers(env, 1, "one", 0)
            two = with_workers(env, 2, "two", MESSAGES)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"# {MESSAGES} messages per run, simulated provider round trip {PROVIDER_MS} ms")
    results = [report("outbox_one_worker_per_s", one, "-", None),
               report("outbox_two_workers_per_s", two, "-", None),
               report("outbox_two_workers_speedup", two / one, SPEEDUP_TARGET, two / one >= SPEEDUP_TARGET, digits=2)]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
