"""Plain factories and stream helpers shared by the object-store tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import tornado.httpclient

from server.clock import Clock, SystemClock
from server.objects.base import ObjectStore
from server.objects.filesystem import FilesystemObjectStore
from server.objects.minio_store import MinioObjectStore, make_minio_client
from server.objects.signing import UrlSigner


def minio_store(endpoint: str, spool_dir: Path, bucket: str | None = None) -> MinioObjectStore:
    client = make_minio_client(endpoint, access_key="test-access", secret_key="test-secret", secure=False,
                               region="us-east-1")
    return MinioObjectStore(client, bucket=bucket or f"test-{uuid.uuid4().hex[:16]}", region="us-east-1",
                            spool_dir=spool_dir)


def filesystem_store(root: Path, *, base_url: str = "http://127.0.0.1:9",
                     clock: Clock | None = None) -> FilesystemObjectStore:
    return FilesystemObjectStore(root, signer=UrlSigner(b"k" * 32), base_url=base_url,
                                 clock=clock or SystemClock())


async def fetch(url: str, method: str = "GET") -> tornado.httpclient.HTTPResponse:
    client = tornado.httpclient.AsyncHTTPClient()
    return await client.fetch(url, method=method, raise_error=False, decompress_response=False)


async def chunks_of(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


async def failing_after(pieces: list[bytes]) -> AsyncIterator[bytes]:
    for piece in pieces:
        yield piece
    raise ConnectionResetError("client went away mid-upload")


async def read_all(store: ObjectStore, key: str) -> bytes:
    return b"".join([chunk async for chunk in store.get(key)])
