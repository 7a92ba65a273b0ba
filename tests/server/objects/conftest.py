"""Object-store fixtures: every backend behind one ``store`` fixture, MinIO played by moto's S3 server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from moto.server import ThreadedMotoServer

from server.objects.base import ObjectStore
from tests.conftest import StartServer
from tests.server.objects.helpers import filesystem_store, minio_store

BACKENDS = ["filesystem", "minio"]


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """One moto S3 server on 127.0.0.1 for the session; each test gets its own bucket in it."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"{host}:{port}"
    finally:
        server.stop()


@pytest_asyncio.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path,
                moto_endpoint: str) -> AsyncIterator[ObjectStore]:
    if request.param == "filesystem":
        yield filesystem_store(tmp_path / "objects")
        return
    created = minio_store(moto_endpoint, tmp_path / "spool")
    await created.ensure_bucket()
    yield created
    await created.close()


@dataclass
class Served:
    """A store whose signed URLs a real HTTP client can follow (the app for files, moto for MinIO)."""

    store: ObjectStore
    backend: str


@pytest_asyncio.fixture(params=BACKENDS)
async def served(request: pytest.FixtureRequest, tmp_path: Path, moto_endpoint: str,
                 start_server: StartServer) -> AsyncIterator[Served]:
    if request.param == "filesystem":
        server = await start_server()
        yield Served(server.deps.store, "filesystem")
        return
    created = minio_store(moto_endpoint, tmp_path / "spool")
    await created.ensure_bucket()
    yield Served(created, "minio")
