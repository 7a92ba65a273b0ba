"""Liveness and readiness: /healthz says the process runs, /readyz that its dependencies answer."""

from __future__ import annotations

import asyncio
import logging

from pymongo.errors import PyMongoError

from server.errors import AppError
from server.http.api import Route, boolean, endpoint, obj, string
from server.http.base import BaseHandler
from server.settings import Settings

log = logging.getLogger("yiwang.health")

_CHECK = obj({"ok": boolean(), "error": string()}, required=["ok"])
_READY = obj({"status": string(enum=["ready", "unavailable"]),
              "checks": obj({"mongodb": _CHECK, "objects": _CHECK}, required=["mongodb", "objects"])},
             required=["status", "checks"])


class HealthHandler(BaseHandler):
    @endpoint("Process is alive", tags=["health"], responses={200: obj({"status": string()})})
    async def get(self) -> None:
        self.write_json({"status": "alive"})


class ReadyHandler(BaseHandler):
    @endpoint("Dependencies answer (MongoDB, object store)", tags=["health"],
              responses={200: _READY, 503: _READY})
    async def get(self) -> None:
        mongo, objects = await asyncio.gather(self._check_mongo(), self._check_objects())
        ready = mongo["ok"] and objects["ok"]
        self.write_json({"status": "ready" if ready else "unavailable",
                         "checks": {"mongodb": mongo, "objects": objects}}, 200 if ready else 503)

    async def _check_mongo(self) -> dict[str, object]:
        try:
            await asyncio.wait_for(self.deps.db.command("ping"), timeout=3)
            return {"ok": True}
        except (PyMongoError, TimeoutError) as exc:
            log.warning("readiness: MongoDB does not answer: %s", exc)
            return {"ok": False, "error": "MongoDB does not answer"}

    async def _check_objects(self) -> dict[str, object]:
        try:
            await asyncio.wait_for(self.deps.store.ping(), timeout=3)
            return {"ok": True}
        except (AppError, OSError, TimeoutError) as exc:
            log.warning("readiness: object store does not answer: %s", exc)
            return {"ok": False, "error": "object store does not answer"}


def routes(settings: Settings) -> list[Route]:
    return [Route("/healthz", HealthHandler), Route("/readyz", ReadyHandler)]
