"""What only the MinIO backend has: an unreachable server, the bucket, and its presigned links."""

from __future__ import annotations

import socket
import time
import urllib.parse
from pathlib import Path

import pytest

from server.objects.base import ObjectStoreUnavailable, ObjectTooLarge
from tests.server.objects.helpers import chunks_of, minio_store, read_all


def unused_endpoint() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"


@pytest.mark.asyncio
async def test_an_unreachable_server_is_unavailable_quickly(tmp_path: Path) -> None:
    store = minio_store(unused_endpoint(), tmp_path / "spool")
    started = time.monotonic()
    with pytest.raises(ObjectStoreUnavailable):
        await store.ping()
    with pytest.raises(ObjectStoreUnavailable):
        await store.put("a/b", chunks_of(b"data"), max_bytes=100)
    with pytest.raises(ObjectStoreUnavailable):
        await store.stat("a/b")
    with pytest.raises(ObjectStoreUnavailable):
        await read_all(store, "a/b")
    with pytest.raises(ObjectStoreUnavailable):
        await store.list("a/")
    assert time.monotonic() - started < 10
    assert list((tmp_path / "spool").iterdir()) == []


@pytest.mark.asyncio
async def test_a_missing_bucket_is_created_once_and_the_race_is_harmless(tmp_path: Path,
                                                                         moto_endpoint: str) -> None:
    first = minio_store(moto_endpoint, tmp_path / "spool", bucket="shared-bucket-1")
    second = minio_store(moto_endpoint, tmp_path / "spool", bucket="shared-bucket-1")
    await first.ensure_bucket()
    await second.ensure_bucket()
    await first.ping()
    await first.put("k", chunks_of(b"v"), max_bytes=10)
    assert await read_all(second, "k") == b"v"


@pytest.mark.asyncio
async def test_oversized_upload_is_refused_before_anything_is_sent(tmp_path: Path, moto_endpoint: str) -> None:
    store = minio_store(moto_endpoint, tmp_path / "spool")
    await store.ensure_bucket()
    with pytest.raises(ObjectTooLarge):
        await store.put("big", chunks_of(b"x" * (3 * 1024 * 1024)), max_bytes=2 * 1024 * 1024)
    assert await store.list("") == []
    assert list((tmp_path / "spool").iterdir()) == []


@pytest.mark.asyncio
async def test_presigned_link_carries_the_download_name_only_when_asked(tmp_path: Path,
                                                                        moto_endpoint: str) -> None:
    store = minio_store(moto_endpoint, tmp_path / "spool")
    plain = urllib.parse.urlsplit(await store.signed_url("a/b", expires_in=90))
    assert "response-content-disposition" not in urllib.parse.parse_qs(plain.query)
    assert urllib.parse.parse_qs(plain.query)["X-Amz-Expires"] == ["90"]
    named = urllib.parse.urlsplit(await store.signed_url("a/b", expires_in=90, filename="办事指南.pdf"))
    disposition = urllib.parse.parse_qs(named.query)["response-content-disposition"][0]
    assert disposition == ("attachment; filename=\"____.pdf\"; "
                           "filename*=UTF-8''%E5%8A%9E%E4%BA%8B%E6%8C%87%E5%8D%97.pdf")


@pytest.mark.asyncio
async def test_stopping_a_download_early_releases_the_connection(tmp_path: Path, moto_endpoint: str) -> None:
    store = minio_store(moto_endpoint, tmp_path / "spool")
    await store.ensure_bucket()
    await store.put("long", chunks_of(b"y" * 500_000), max_bytes=1_000_000)
    for _ in range(3):
        stream = store.get("long", chunk_size=1000)
        assert await anext(stream) == b"y" * 1000
        await stream.aclose()
    assert await read_all(store, "long") == b"y" * 500_000
    # Every connection taken from urllib3's pool went back to it (a leaked one leaves a hole).
    queues = [pool.pool for pool in store._client._http.pools._container.values()]
    assert queues
    assert all(queue is not None and queue.qsize() == queue.maxsize for queue in queues)
