"""Objects in a MinIO (or any S3) bucket, through the synchronous ``minio`` client run in threads.

An upload is first spooled to a temporary file on local disk (bounded, hashed), then sent with its
length known: the bytes never sit in memory whole, an oversized or broken stream is refused before
anything reaches the bucket, and a failed multipart upload is aborted by the client. The sha256 travels
as user metadata so ``stat`` can report it without reading the object.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import AsyncGenerator, AsyncIterable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import urllib3
from minio import Minio
from minio.datatypes import Object
from minio.error import MinioException, S3Error

from server.objects.base import (
    DEFAULT_CHUNK_SIZE,
    ObjectInfo,
    ObjectNotFound,
    ObjectStoreError,
    ObjectStoreUnavailable,
    check_content_type,
    check_expires_in,
    check_key,
    check_prefix,
    content_disposition,
)
from server.objects.streams import spool

log = logging.getLogger("yiwang.objects")

T = TypeVar("T")

_SHA256_META = "sha256"
_SHA256_HEADER = "x-amz-meta-sha256"
# The client's default waits 5 minutes to connect and retries 5 times; an unreachable store must turn
# into a 503 within the readiness probe's few seconds instead.
_CONNECT_TIMEOUT = 3.0
_READ_TIMEOUT = 60.0
_RETRIES = 2
_MISSING_OBJECT = {"NoSuchKey", "NoSuchObject", "ResourceNotFound"}
_BUCKET_TAKEN = {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}


def make_minio_client(endpoint: str, *, access_key: str, secret_key: str, secure: bool, region: str) -> Minio:
    # Knowing the region lets the client presign without asking the server where the bucket lives.
    http = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=_CONNECT_TIMEOUT, read=_READ_TIMEOUT),
        maxsize=10,
        cert_reqs="CERT_REQUIRED" if secure else "CERT_NONE",
        retries=urllib3.Retry(total=_RETRIES, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]),
    )
    return Minio(endpoint, access_key=access_key or None, secret_key=secret_key or None, secure=secure,
                 region=region, http_client=http)


class MinioObjectStore:
    def __init__(self, client: Minio, *, bucket: str, region: str, spool_dir: Path) -> None:
        self._client = client
        self._bucket = bucket
        self._region = region
        self._spool_dir = spool_dir
        spool_dir.mkdir(parents=True, exist_ok=True)

    async def _call(self, function: Callable[..., T], *args: Any, key: str | None = None, **kwargs: Any) -> T:
        try:
            return await asyncio.to_thread(function, *args, **kwargs)
        except S3Error as exc:
            raise _translate_s3_error(exc, key) from exc
        except (urllib3.exceptions.HTTPError, MinioException, OSError) as exc:
            log.warning("object store %s does not answer: %s", self._bucket, exc)
            raise ObjectStoreUnavailable() from exc

    # ------------------------------------------------------------------ bucket
    async def ensure_bucket(self) -> None:
        """Create the bucket if it is missing (several processes may race: losing is fine)."""
        if await self._call(self._client.bucket_exists, self._bucket):
            return
        try:
            await self._call(self._client.make_bucket, self._bucket, location=self._region)
            log.info("created object-store bucket %s", self._bucket)
        except ObjectStoreError as exc:
            cause = exc.__cause__
            if not (isinstance(cause, S3Error) and cause.code in _BUCKET_TAKEN):
                raise

    async def ping(self) -> None:
        try:
            await self.ensure_bucket()
        except ObjectStoreError as exc:  # e.g. refused credentials: for readiness, just as unusable
            raise ObjectStoreUnavailable() from exc

    # ------------------------------------------------------------------ writing
    async def put(self, key: str, chunks: AsyncIterable[bytes], *, max_bytes: int,
                  content_type: str = "application/octet-stream") -> ObjectInfo:
        check_key(key)
        check_content_type(content_type)
        handle = await asyncio.to_thread(self._spool_file)
        try:
            spooled = await spool(chunks, handle, max_bytes=max_bytes)
            await asyncio.to_thread(handle.seek, 0)
            # One part at a time: parallel parts would each hold a 5 MiB+ buffer and a thread.
            await self._call(self._client.put_object, self._bucket, key, handle, spooled.size,
                             content_type=content_type, metadata={_SHA256_META: spooled.sha256},
                             num_parallel_uploads=1, key=key)
        finally:
            await asyncio.to_thread(handle.close)
        return await self.stat(key)

    def _spool_file(self) -> BinaryIO:
        # Nameless where the OS allows: it vanishes with the handle, even if the process dies.
        return tempfile.TemporaryFile(mode="w+b", dir=self._spool_dir, prefix="upload-")

    async def delete(self, key: str) -> None:
        check_key(key)
        await self._call(self._client.remove_object, self._bucket, key, key=key)

    # ------------------------------------------------------------------ reading
    async def get(self, key: str, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> AsyncGenerator[bytes, None]:
        check_key(key)
        response = await self._call(self._client.get_object, self._bucket, key, key=key)
        complete = False
        try:
            while chunk := await self._call(response.read, chunk_size, key=key):
                yield chunk
            complete = True
        finally:
            # A fully read connection goes back to the pool; a half-read one (the consumer stopped
            # early or the read failed) still has bytes in flight and must be dropped instead.
            if not complete:
                response.close()
            response.release_conn()

    async def stat(self, key: str) -> ObjectInfo:
        check_key(key)
        found = await self._call(self._client.stat_object, self._bucket, key, key=key)
        return _info(found)

    def _list(self, prefix: str) -> list[ObjectInfo]:
        # Listings carry neither content type nor user metadata in plain S3, hence one HEAD per object.
        found: list[ObjectInfo] = []
        for listed in self._client.list_objects(self._bucket, prefix=prefix or None, recursive=True):
            if listed.is_dir or listed.object_name is None:
                continue
            try:
                found.append(_info(self._client.stat_object(self._bucket, listed.object_name)))
            except S3Error as exc:
                if exc.code not in _MISSING_OBJECT:  # deleted between listing and stat: skip it
                    raise
        return sorted(found, key=lambda info: info.key)

    async def list(self, prefix: str) -> list[ObjectInfo]:
        check_prefix(prefix)
        return await self._call(self._list, prefix)

    # ------------------------------------------------------------------ links
    async def signed_url(self, key: str, *, expires_in: int, filename: str | None = None) -> str:
        check_key(key)
        headers = {"response-content-disposition": content_disposition(filename)} if filename else None
        return await self._call(self._client.presigned_get_object, self._bucket, key,
                                expires=timedelta(seconds=check_expires_in(expires_in)),
                                response_headers=headers, key=key)

    async def close(self) -> None:
        return None


def _info(found: Object) -> ObjectInfo:
    if found.object_name is None or found.size is None or found.last_modified is None:
        raise ObjectStoreError("文件存储返回的信息不完整")
    metadata = found.metadata or {}
    return ObjectInfo(key=found.object_name, size=found.size,
                      content_type=found.content_type or "application/octet-stream",
                      sha256=str(metadata.get(_SHA256_HEADER, "")), modified=found.last_modified)


def _translate_s3_error(exc: S3Error, key: str | None) -> Exception:
    if exc.code in _MISSING_OBJECT and key is not None:
        return ObjectNotFound(key=key)
    if exc.code == "NoSuchBucket":
        log.warning("object-store bucket %s is missing", exc.bucket_name)
        return ObjectStoreUnavailable()
    log.warning("object store refused %s: %s %s", exc.object_name or exc.bucket_name, exc.code, exc.message)
    return ObjectStoreError()
