"""Writing an incoming stream to a local file: bounded, hashed, and never blocking the event loop."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass
from typing import BinaryIO

from server.objects.base import ObjectStoreUnavailable, ObjectTooLarge

log = logging.getLogger("yiwang.objects")

# Chunks are batched into one thread hop per MiB: hopping per 64 KiB chunk costs more than the write.
_WRITE_BATCH = 1024 * 1024


@dataclass(frozen=True)
class Spooled:
    size: int
    sha256: str


async def spool(chunks: AsyncIterable[bytes], handle: BinaryIO, *, max_bytes: int) -> Spooled:
    """Copy ``chunks`` into ``handle`` (flushed and fsynced); ObjectTooLarge as soon as they pass the limit.

    At most one batch plus one chunk is held in memory, whatever the size of the stream. A failing
    disk (full, read-only) is ObjectStoreUnavailable; whatever the stream itself raises propagates as is.
    """
    digest = hashlib.sha256()
    size = 0
    pending: list[bytes] = []
    pending_size = 0

    def write(batch: list[bytes]) -> None:
        for piece in batch:
            handle.write(piece)
            digest.update(piece)

    async for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            raise ObjectTooLarge(f"文件超过 {max_bytes} 字节上限", limit=max_bytes)
        pending.append(chunk)
        pending_size += len(chunk)
        if pending_size >= _WRITE_BATCH:
            await _on_disk(write, pending)
            pending, pending_size = [], 0

    def finish() -> None:
        write(pending)
        handle.flush()
        os.fsync(handle.fileno())

    await _on_disk(finish)
    return Spooled(size=size, sha256=digest.hexdigest())


async def _on_disk(operation: Callable[..., None], *args: object) -> None:
    try:
        await asyncio.to_thread(operation, *args)
    except OSError as exc:
        log.warning("object store cannot write to local disk: %s", exc)
        raise ObjectStoreUnavailable() from exc
