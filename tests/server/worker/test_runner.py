"""Worker jobs: due jobs run once under a lease, failures and timeouts are recorded."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio

from server.clock import FrozenClock
from server.deps import Deps
from server.worker import registry, repository
from server.worker.registry import Job
from server.worker.runner import run_due_jobs
from tests.conftest import StartServer


@pytest_asyncio.fixture
async def deps(start_server: StartServer) -> Deps:
    server = await start_server(clock=FrozenClock())
    return server.runtime.deps


@pytest_asyncio.fixture
async def temporary_jobs() -> AsyncIterator[dict[str, Job]]:
    saved = registry.registered_jobs()
    added: dict[str, Job] = {}
    yield added
    registry._REGISTRY.clear()
    registry._REGISTRY.update(saved)


def _add(jobs: dict[str, Job], name: str, run: Any, *, every: float = 60, timeout: float = 5) -> None:
    job = Job(name, every, timeout, run, name)
    registry._REGISTRY[name] = job
    jobs[name] = job


@pytest.mark.asyncio
async def test_a_due_job_runs_once_and_waits_for_its_interval(deps: Deps, temporary_jobs: dict[str, Job]) -> None:
    calls: list[int] = []

    async def count(_: Deps) -> dict[str, Any]:
        calls.append(1)
        return {"n": len(calls)}

    _add(temporary_jobs, "t_count", count, every=60)
    assert await run_due_jobs(deps, "w1", only="t_count") == 1
    assert await run_due_jobs(deps, "w1", only="t_count") == 0
    assert isinstance(deps.clock, FrozenClock)
    deps.clock.advance(seconds=61)
    assert await run_due_jobs(deps, "w1", only="t_count") == 1
    runs = await repository.recent_runs(deps.db, "t_count")
    assert [r["status"] for r in runs] == ["ok", "ok"]
    assert runs[0]["result"] == {"n": 2}


@pytest.mark.asyncio
async def test_two_workers_never_run_the_same_job_at_once(deps: Deps, temporary_jobs: dict[str, Job]) -> None:
    running = 0
    most = 0

    async def slow(_: Deps) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.3)
        running -= 1

    _add(temporary_jobs, "t_slow", slow)
    ran = await asyncio.gather(*(run_due_jobs(deps, f"w{i}", only="t_slow") for i in range(4)))
    assert sum(ran) == 1
    assert most == 1


@pytest.mark.asyncio
async def test_failures_and_timeouts_are_recorded_and_do_not_stop_the_worker(
        deps: Deps, temporary_jobs: dict[str, Job]) -> None:
    async def broken(_: Deps) -> None:
        raise ValueError("bad data in row 7")

    async def stuck(_: Deps) -> None:
        await asyncio.sleep(30)

    _add(temporary_jobs, "t_broken", broken)
    _add(temporary_jobs, "t_stuck", stuck, timeout=0.2)
    await run_due_jobs(deps, "w1", only="t_broken")
    await run_due_jobs(deps, "w1", only="t_stuck")
    broken_run = (await repository.recent_runs(deps.db, "t_broken"))[0]
    stuck_run = (await repository.recent_runs(deps.db, "t_stuck"))[0]
    assert (broken_run["status"], broken_run["error"]) == ("failed", "ValueError: bad data in row 7")
    assert stuck_run["status"] == "timeout"
    # The lease was released: forcing the job runs it again at once.
    assert await run_due_jobs(deps, "w1", only="t_broken", force=True) == 1


def test_every_registered_job_has_a_timeout_and_interval() -> None:
    jobs = registry.registered_jobs()
    assert "purge_old_job_runs" in jobs
    for job in jobs.values():
        assert job.timeout_seconds > 0
        assert job.every_seconds > 0
        assert job.description


@pytest.mark.asyncio
async def test_a_failed_run_is_tried_again_soon_not_a_whole_interval_later(
        deps: Deps, temporary_jobs: dict[str, Job]) -> None:
    from server.errors import ServiceUnavailable
    from server.worker.runner import RETRY_AFTER_FAILURE_SECONDS

    outcomes = [ServiceUnavailable("provider down"), None]

    async def flaky(_: Deps) -> dict[str, Any]:
        failure = outcomes.pop(0)
        if failure is not None:
            raise failure
        return {"ok": True}

    _add(temporary_jobs, "t_flaky", flaky, every=6 * 3600)
    assert isinstance(deps.clock, FrozenClock)
    assert await run_due_jobs(deps, "w1", only="t_flaky") == 1
    deps.clock.advance(seconds=RETRY_AFTER_FAILURE_SECONDS - 1)
    assert await run_due_jobs(deps, "w1", only="t_flaky") == 0
    deps.clock.advance(seconds=2)
    assert await run_due_jobs(deps, "w1", only="t_flaky") == 1
    deps.clock.advance(seconds=RETRY_AFTER_FAILURE_SECONDS + 1)
    assert await run_due_jobs(deps, "w1", only="t_flaky") == 0  # succeeded: back to its interval
    runs = await repository.recent_runs(deps.db, "t_flaky")
    assert [r["status"] for r in runs] == ["ok", "failed"]


@pytest.mark.asyncio
async def test_a_worker_that_died_mid_run_frees_its_job_after_the_short_lease_not_the_timeout(
        deps: Deps, temporary_jobs: dict[str, Job]) -> None:
    started, finish = asyncio.Event(), asyncio.Event()

    async def hour_long(_: Deps) -> None:
        started.set()
        await finish.wait()

    _add(temporary_jobs, "t_long", hour_long, timeout=3600)
    assert isinstance(deps.clock, FrozenClock)
    lease = deps.settings.worker_lease_seconds
    running = asyncio.create_task(run_due_jobs(deps, "w-dies", only="t_long"))
    await started.wait()
    held = await deps.db.job_leases.find_one({"_id": "t_long"})
    assert held is not None
    assert held["holder"] == "w-dies"
    # The lease runs out soon after the worker's last renewal, not after the hour the job may take.
    assert held["lease_until"] == deps.clock.now() + timedelta(seconds=lease)
    assert lease < 3600
    # Now it dies (nothing renews the lease any more, nothing releases it).
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running
    await deps.db.job_leases.update_one({"_id": "t_long"}, {"$set": {"holder": "w-dies",
                                                                    "lease_until": held["lease_until"]}})

    deps.clock.advance(seconds=lease - 1)
    assert await run_due_jobs(deps, "w1", only="t_long", force=True) == 0
    deps.clock.advance(seconds=2)
    finish.set()
    assert await run_due_jobs(deps, "w1", only="t_long", force=True) == 1


@pytest.mark.asyncio
async def test_a_job_running_longer_than_its_lease_keeps_it(start_server: StartServer,
                                                           temporary_jobs: dict[str, Job]) -> None:
    clock = FrozenClock()
    deps = (await start_server(clock=clock, worker_lease_seconds=0.3)).runtime.deps
    started = asyncio.Event()
    finish = asyncio.Event()
    runs: list[str] = []

    async def slow(_: Deps) -> None:
        runs.append("run")
        started.set()
        await finish.wait()

    _add(temporary_jobs, "t_renewed", slow)
    first = asyncio.create_task(run_due_jobs(deps, "w1", only="t_renewed", force=True))
    await started.wait()
    # The frozen clock moves past the lease each round; only a renewal made after that can keep the job.
    # Waiting for the renewal rather than sleeping a fixed time keeps this test independent of how slow
    # the machine is.
    for _ in range(4):
        clock.advance(seconds=1)
        await _lease_renewed_after(deps, "t_renewed", clock.now())
        assert await run_due_jobs(deps, "w2", only="t_renewed", force=True) == 0
    finish.set()
    assert await first == 1
    assert runs == ["run"]
    # Released when done: another worker may take it at once.
    assert await run_due_jobs(deps, "w2", only="t_renewed", force=True) == 1


async def _lease_renewed_after(deps: Deps, job: str, moment: datetime) -> None:
    async def renewed() -> None:
        while True:
            lease = await deps.db.job_leases.find_one({"_id": job})
            if lease is not None and lease["lease_until"] > moment:
                return
            await asyncio.sleep(0.02)

    await asyncio.wait_for(renewed(), timeout=10)
