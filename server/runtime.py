"""Opening and closing everything a process needs: MongoDB, the object store, providers, auth."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from pymongo import AsyncMongoClient

from cms.search.service import SearchService
from server.calendar.service import CalendarCache
from server.clock import Clock, SystemClock
from server.deps import Deps
from server.identity.auth import CitizenAuthenticator
from server.identity.pii import PersonalDataCipher
from server.mongo.embedded import EmbeddedMongo, attach_or_start
from server.mongo.indexes import ensure_indexes
from server.mongo.schema import all_indexes
from server.objects.factory import make_object_store
from server.open.auth import OpenAuthenticator
from server.payments.wiring import make_payment_gateways
from server.providers.alipay import make_alipay
from server.providers.wechat import make_wechat
from server.sandbox.keys import sandbox_key_store
from server.settings import Settings
from server.staff.authenticator import StaffAuthenticator

log = logging.getLogger("yiwang.runtime")


@dataclass
class Runtime:
    deps: Deps
    embedded: EmbeddedMongo | None = None
    background: list[asyncio.Task[None]] = field(default_factory=list)

    async def close(self) -> None:
        for task in self.background:
            task.cancel()
        for task in self.background:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.deps.search.close(self.deps)
        self.deps.intake_executor.shutdown(wait=False, cancel_futures=True)
        await self.deps.store.close()
        await self.deps.mongo.close()
        if self.embedded is not None:
            await asyncio.to_thread(self.embedded.stop)


def mongo_client(url: str, settings: Settings) -> AsyncMongoClient[dict[str, object]]:
    # Created inside the running loop (PyMongo's async client binds to it).
    return AsyncMongoClient(url, tz_aware=True, serverSelectionTimeoutMS=settings.mongo_timeout_ms,
                            connectTimeoutMS=settings.mongo_timeout_ms, socketTimeoutMS=30_000,
                            uuidRepresentation="standard")


async def open_runtime(settings: Settings, *, clock: Clock | None = None, mongo_url: str | None = None,
                       create_indexes: bool = True) -> Runtime:
    embedded = None
    url = mongo_url or settings.mongo_url
    if not url:
        url, embedded = await asyncio.to_thread(attach_or_start, settings.mongo_dir)
    client = mongo_client(url, settings)
    db = client[settings.mongo_db]
    if create_indexes:
        await ensure_indexes(db, all_indexes(), expired_kept=settings.expired_records_kept_seconds)
    clock = clock or SystemClock()
    # The store signs download links with the same clock the download route checks them against.
    store = await make_object_store(settings, clock)
    deps = Deps(settings=settings, clock=clock, mongo=client, db=db, store=store,
                pii=PersonalDataCipher(settings.encryption_key_bytes), wechat=make_wechat(settings),
                alipay=make_alipay(settings, clock, sandbox_key_store(settings.var_dir)),
                calendar=CalendarCache(db),
                intake_executor=ThreadPoolExecutor(settings.upload_workers, thread_name_prefix="intake"),
                search=SearchService(settings.search_refresh_seconds))
    deps.payments = make_payment_gateways(settings, clock, sandbox_key_store(settings.var_dir), deps.alipay)
    deps.authenticators["citizen"] = CitizenAuthenticator()
    deps.authenticators["staff"] = StaffAuthenticator()
    deps.authenticators["open"] = OpenAuthenticator()
    runtime = Runtime(deps=deps, embedded=embedded)
    if embedded is not None and settings.embedded_mongo_restart:
        runtime.background.append(asyncio.create_task(embedded.supervise()))
    return runtime
