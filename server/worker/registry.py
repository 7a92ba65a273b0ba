"""Registered jobs: a name, an interval, a timeout, and an idempotent coroutine.

Jobs register themselves in their own package (``@job(...)``); the worker imports the modules listed in
``JOB_MODULES`` and runs what is due. A job must be safe to run twice or concurrently with itself on
another worker: leases make that rare, idempotence makes it harmless.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from server.deps import Deps

JobFunction = Callable[["Deps"], Awaitable[dict[str, Any] | None]]


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    timeout_seconds: float
    run: JobFunction
    description: str


_REGISTRY: dict[str, Job] = {}

# Modules whose import registers jobs.
JOB_MODULES: tuple[str, ...] = (
    "server.worker.housekeeping",
    "cms.content.schedule",
    "cms.content.list_facets_job",
    "server.cases.supervision",
    "server.cases.queue_keys_job",
    "server.messages.relay",
    "server.messages.delivery",
    "server.open.webhooks",
    "server.payments.jobs",
    "server.cases.orphan_files",
    "server.cases.draft_expiry",
)


def job(name: str, *, every_seconds: float, timeout_seconds: float,
        description: str = "") -> Callable[[JobFunction], JobFunction]:
    def register(function: JobFunction) -> JobFunction:
        if name in _REGISTRY and _REGISTRY[name].run is not function:
            raise RuntimeError(f"job {name} registered twice")
        _REGISTRY[name] = Job(name, every_seconds, timeout_seconds, function,
                              description or (function.__doc__ or "").strip())
        return function

    return register


def registered_jobs() -> dict[str, Job]:
    import importlib

    for module in JOB_MODULES:
        importlib.import_module(module)
    return dict(_REGISTRY)
