"""The worker loop: take the lease of each due job, run it under its timeout, record the outcome."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import traceback
from datetime import timedelta
from typing import Any

from pymongo.errors import ConnectionFailure, PyMongoError

from server.deps import Deps
from server.errors import AppError
from server.worker import repository
from server.worker.registry import Job, registered_jobs

log = logging.getLogger("yiwang.worker")

# A run that failed (a provider briefly down, the web process not yet listening) is tried again this
# soon, not a whole interval later: a six-hourly reconciliation must not wait six hours more.
RETRY_AFTER_FAILURE_SECONDS = 60


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def run_job(deps: Deps, job: Job, holder: str) -> dict[str, Any]:
    """Run one job now, recording the run; never raises for the job's own failures."""
    run_id = await repository.record_run_started(deps.db, job.name, holder, deps.clock.now())
    try:
        result = await asyncio.wait_for(job.run(deps), timeout=job.timeout_seconds)
    except TimeoutError:
        log.error("job %s timed out after %ss", job.name, job.timeout_seconds)
        await repository.record_run_finished(deps.db, run_id, "timeout", deps.clock.now(),
                                             error=f"timed out after {job.timeout_seconds}s")
        return {"status": "timeout"}
    except ConnectionFailure:
        raise
    except Exception as exc:  # a failing job is recorded, the worker goes on
        if isinstance(exc, AppError):
            # A described failure (a provider down, a forged answer): its code and message say it all.
            log.error("job %s failed: %s: %s", job.name, exc.code, exc)
        else:
            log.exception("job %s failed", job.name)
        await repository.record_run_finished(deps.db, run_id, "failed", deps.clock.now(),
                                             error="".join(traceback.format_exception_only(exc)).strip())
        return {"status": "failed", "error": str(exc)}
    await repository.record_run_finished(deps.db, run_id, "ok", deps.clock.now(), result=result)
    return {"status": "ok", "result": result}


async def run_due_jobs(deps: Deps, holder: str, *, only: str | None = None, force: bool = False) -> int:
    """Run every job whose time has come (or ``only`` that one, now if ``force``); returns how many ran."""
    ran = 0
    for job in registered_jobs().values():
        if only and job.name != only:
            continue
        now = deps.clock.now()
        await repository.ensure_job_lease(deps.db, job.name, now)
        lease_seconds = deps.settings.worker_lease_seconds
        if not await repository.take_due_lease(deps.db, job.name, holder, now, lease_seconds, force=force):
            continue
        delay = min(job.every_seconds, RETRY_AFTER_FAILURE_SECONDS)
        keeper = asyncio.create_task(_keep_lease(deps, job.name, holder, lease_seconds))
        try:
            if (await run_job(deps, job, holder))["status"] == "ok":
                delay = job.every_seconds
            ran += 1
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            await repository.release_lease(deps.db, job.name, holder, deps.clock.now() + timedelta(seconds=delay))
    return ran


async def _keep_lease(deps: Deps, job: str, holder: str, lease_seconds: float) -> None:
    """Renew the lease while the job runs. A short lease kept alive, rather than one as long as the job's
    timeout: a worker that dies (SIGKILL, out of memory, a lost machine) frees its job within
    ``lease_seconds``, not minutes later."""
    while True:
        await asyncio.sleep(lease_seconds / 3)
        try:
            until = deps.clock.now() + timedelta(seconds=lease_seconds)
            if not await repository.renew_lease(deps.db, job, holder, until):
                # This worker stalled past its lease and another took the job: both may run it (jobs
                # are idempotent); this run goes on, and releasing later leaves the other's lease alone.
                log.warning("job %s: lease lost to another worker", job)
                return
        except PyMongoError as exc:  # the next round tries again; the job itself decides whether to fail
            log.warning("job %s: lease not renewed (%s)", job, exc)


async def work_forever(deps: Deps, *, stop: asyncio.Event) -> None:
    holder = worker_name()
    log.info("worker %s started with jobs: %s", holder, ", ".join(sorted(registered_jobs())))
    while not stop.is_set():
        try:
            await run_due_jobs(deps, holder)
        except ConnectionFailure as exc:
            log.warning("worker: database unavailable (%s); retrying", exc)
        try:
            await asyncio.wait_for(stop.wait(), timeout=deps.settings.worker_poll_seconds)
        except TimeoutError:
            pass
