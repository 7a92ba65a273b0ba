"""Backend choice from the settings, and /readyz following the store down and back up."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from server.objects.factory import make_object_store
from server.objects.filesystem import FilesystemObjectStore
from server.objects.minio_store import MinioObjectStore
from tests.conftest import StartServer
from tests.server.objects.helpers import minio_store
from tests.support.server import TestServer, make_settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def readiness(server: TestServer) -> tuple[int, bool, bool]:
    response = await server.get("/readyz")
    checks = response.json["checks"]
    return response.status, checks["objects"]["ok"], checks["mongodb"]["ok"]


@pytest.mark.asyncio
async def test_filesystem_by_default_minio_when_an_endpoint_is_set(tmp_path: Path, moto_endpoint: str) -> None:
    default = await make_object_store(make_settings(tmp_path))
    assert isinstance(default, FilesystemObjectStore)
    assert default.root == tmp_path / "objects"
    assert default.root.is_dir()

    settings = make_settings(tmp_path, minio_endpoint=moto_endpoint, minio_access_key="k",
                             minio_secret_key="s", minio_bucket="made-by-factory")
    chosen = await make_object_store(settings)
    assert isinstance(chosen, MinioObjectStore)
    # The bucket was created at start.
    assert await minio_store(moto_endpoint, tmp_path / "spool", bucket="made-by-factory").list("") == []
    url = await chosen.signed_url("a/b", expires_in=60)
    assert url.startswith(f"http://{moto_endpoint}/made-by-factory/a/b?")


@pytest.mark.asyncio
async def test_readyz_names_a_missing_filesystem_root_and_recovers(server: TestServer) -> None:
    assert await readiness(server) == (200, True, True)
    root = server.deps.store.root
    shutil.rmtree(root)
    assert await readiness(server) == (503, False, True)
    response = await server.get("/readyz")
    assert response.json["status"] == "unavailable"
    assert "object store" in response.json["checks"]["objects"]["error"]
    root.mkdir()
    assert await readiness(server) == (200, True, True)


@pytest.mark.asyncio
async def test_server_starts_without_minio_and_readyz_follows_it(start_server: StartServer) -> None:
    port = free_port()
    server = await start_server(minio_endpoint=f"127.0.0.1:{port}", minio_access_key="k",
                                minio_secret_key="s", minio_bucket="late-bucket")
    assert await readiness(server) == (503, False, True)

    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    try:
        assert await readiness(server) == (200, True, True)
        # Readiness created the bucket the start could not: the store works now.
        assert await server.deps.store.list("") == []
    finally:
        moto.stop()
    assert await readiness(server) == (503, False, True)
