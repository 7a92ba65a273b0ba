"""The embedded MongoDB: start, share, die, come back, and what clients see meanwhile."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from server.http.api import Route, endpoint, integer, obj
from server.http.base import BaseHandler
from server.mongo.embedded import EmbeddedMongo, EmbeddedMongoError, attach_or_start, ping
from tests.conftest import StartServer


class CountHandler(BaseHandler):
    @endpoint("Count test documents", responses={200: obj({"count": integer()})}, errors=(503,))
    async def get(self) -> None:
        self.write_json({"count": await self.deps.db.things.count_documents({})})


def test_attach_or_start_shares_one_server_per_data_folder(tmp_path: Path) -> None:
    url, owner = attach_or_start(tmp_path / "mongo")
    try:
        assert owner is not None
        again, second_owner = attach_or_start(tmp_path / "mongo")
        assert again == url
        assert second_owner is None
    finally:
        assert owner is not None
        owner.stop()
    assert not ping(url, 300)


def test_a_server_that_cannot_start_fails_with_a_clear_message(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    with pytest.raises(EmbeddedMongoError, match="embedded MongoDB"):
        EmbeddedMongo(blocker / "mongo", start_timeout=5).start()


async def _wait_for_status(server_get, path: str, status: int, seconds: float = 20) -> None:
    for _ in range(int(seconds / 0.2)):
        if (await server_get(path)).status == status:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"{path} never answered {status}")


@pytest.mark.asyncio
async def test_killing_mongodb_makes_readyz_503_and_requests_503_then_recovers(
        start_server: StartServer, tmp_path: Path) -> None:
    embedded = EmbeddedMongo(tmp_path / "own-mongo")
    url = await asyncio.to_thread(embedded.start)
    try:
        server = await start_server(extra_routes=[Route("/test/count", CountHandler)], mongo_url=url,
                                    mongo_timeout_ms=400)
        server.runtime.deps.settings  # noqa: B018 (the server is up)
        assert (await server.get("/test/count")).status == 200
        embedded.kill()
        ready = await server.get("/readyz")
        assert ready.status == 503
        assert ready.json["checks"]["mongodb"]["ok"] is False
        assert ready.json["checks"]["objects"]["ok"] is True
        failed = await server.get("/test/count")
        assert (failed.status, failed.error_code) == (503, "database_unavailable")
        await asyncio.to_thread(embedded.start)
        await _wait_for_status(server.get, "/readyz", 200)
        assert (await server.get("/test/count")).status == 200
    finally:
        embedded.stop()


@pytest.mark.asyncio
async def test_supervisor_restarts_a_dead_embedded_server(tmp_path: Path) -> None:
    embedded = EmbeddedMongo(tmp_path / "supervised")
    await asyncio.to_thread(embedded.start)
    supervisor = asyncio.create_task(embedded.supervise(restart_delay=0.1))
    try:
        first_pid = embedded.pid
        embedded.kill()
        for _ in range(100):
            await asyncio.sleep(0.2)
            if embedded.alive() and embedded.pid != first_pid and await asyncio.to_thread(ping, embedded.url):
                break
        else:
            raise AssertionError("the embedded MongoDB was not restarted")
    finally:
        supervisor.cancel()
        await asyncio.gather(supervisor, return_exceptions=True)
        embedded.stop()


@pytest.mark.asyncio
async def test_shutting_down_during_a_restart_leaves_no_server_running(tmp_path: Path) -> None:
    embedded = EmbeddedMongo(tmp_path / "restarting")
    await asyncio.to_thread(embedded.start)
    embedded.kill()
    # The supervisor's restart is under way (it takes a second or two) when the owner stops.
    restarting = asyncio.create_task(asyncio.to_thread(embedded.restart))
    for _ in range(500):
        if embedded._lifecycle.locked():
            break
        await asyncio.sleep(0.01)
    await asyncio.to_thread(embedded.stop)
    restarted_url = await restarting
    assert restarted_url == embedded.url  # it did start, and stop waited for it...
    assert not embedded.alive()  # ...and then stopped it
    assert not await asyncio.to_thread(ping, embedded.url)
    # Once stopping, a late restart starts nothing.
    assert await asyncio.to_thread(embedded.restart) is None
    assert not embedded.alive()
