"""Test fixtures: one MongoDB per session, a fresh database and a real HTTP server per test."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from server.mongo.embedded import EmbeddedMongo
from tests.support.server import TestServer, start_test_server


@pytest.fixture(scope="session")
def mongo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real MongoDB when MONGO_URL is set, otherwise one embedded nx-27017 for the whole session."""
    external = os.environ.get("MONGO_URL")
    if external:
        yield external
        return
    embedded = EmbeddedMongo(tmp_path_factory.mktemp("mongo"))
    embedded.start()
    try:
        yield embedded.url
    finally:
        embedded.stop()


StartServer = Callable[..., Awaitable[TestServer]]


@pytest_asyncio.fixture
async def start_server(mongo_url: str, tmp_path: Path) -> AsyncIterator[StartServer]:
    """Start one or more servers with settings overrides: ``await start_server(max_json_body_bytes=10)``."""
    started: list[TestServer] = []

    async def start(**overrides: Any) -> TestServer:
        url = overrides.pop("mongo_url", mongo_url)
        server = await start_test_server(url, tmp_path / f"srv{len(started)}", **overrides)
        started.append(server)
        return server

    yield start
    for server in reversed(started):
        await server.stop()


@pytest_asyncio.fixture
async def server(start_server: StartServer) -> TestServer:
    return await start_server()
