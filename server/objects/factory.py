"""Picks the object-store backend from the settings: MinIO when an endpoint is set, else the filesystem."""

from __future__ import annotations

import asyncio
import logging

from server.clock import Clock, SystemClock
from server.objects.base import ObjectStore, ObjectStoreUnavailable
from server.objects.filesystem import FilesystemObjectStore
from server.objects.minio_store import MinioObjectStore, make_minio_client
from server.objects.signing import UrlSigner
from server.settings import Settings

log = logging.getLogger("yiwang.objects")


async def make_object_store(settings: Settings, clock: Clock | None = None) -> ObjectStore:
    if settings.minio_endpoint:
        return await _make_minio_store(settings)
    return await asyncio.to_thread(
        FilesystemObjectStore, settings.objects_dir, signer=url_signer(settings), base_url=settings.base_url,
        clock=clock or SystemClock())


def url_signer(settings: Settings) -> UrlSigner:
    """The signer of filesystem download links; the store and the download route must share it."""
    return UrlSigner(settings.secret_key_bytes)


async def _make_minio_store(settings: Settings) -> MinioObjectStore:
    client = make_minio_client(settings.minio_endpoint, access_key=settings.minio_access_key,
                               secret_key=settings.minio_secret_key, secure=settings.minio_secure,
                               region=settings.minio_region)
    store = await asyncio.to_thread(
        MinioObjectStore, client, bucket=settings.minio_bucket, region=settings.minio_region,
        spool_dir=settings.var_dir / "spool")
    try:
        await store.ensure_bucket()
    except ObjectStoreUnavailable:
        # Start anyway: /readyz reports the store, and the bucket is created once MinIO answers.
        log.warning("MinIO at %s does not answer at start; continuing, /readyz will say so",
                    settings.minio_endpoint)
    return store
