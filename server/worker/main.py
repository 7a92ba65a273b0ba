"""The worker process."""

from __future__ import annotations

import asyncio
import logging
import signal

from server.calendar.service import prepare_calendar
from server.runtime import open_runtime
from server.settings import Settings
from server.worker.runner import run_due_jobs, work_forever, worker_name

log = logging.getLogger("yiwang.worker")


async def run_worker(settings: Settings, *, once: bool = False, only: str | None = None) -> int:
    runtime = await open_runtime(settings)
    try:
        await prepare_calendar(runtime.deps.db, runtime.deps.calendar, runtime.deps.clock)
        if once:
            return await run_due_jobs(runtime.deps, worker_name(), only=only, force=only is not None)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await work_forever(runtime.deps, stop=stop)
        return 0
    finally:
        await runtime.close()
