from __future__ import annotations

import hashlib
from pathlib import Path
from typing import BinaryIO

import pytest

from server.objects.base import ObjectStoreUnavailable, ObjectTooLarge
from server.objects.streams import spool
from tests.server.objects.helpers import chunks_of, failing_after


def writable(path: str | Path, buffering: int = -1) -> BinaryIO:
    return open(path, "wb", buffering=buffering)


@pytest.mark.asyncio
async def test_spool_copies_hashes_and_counts(tmp_path: Path) -> None:
    data = bytes(range(256)) * 10_000
    target = tmp_path / "copy"
    with writable(target) as handle:
        result = await spool(chunks_of(data, 4096), handle, max_bytes=len(data))
    assert (result.size, result.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert target.read_bytes() == data


@pytest.mark.asyncio
async def test_spool_stops_at_the_first_chunk_past_the_limit(tmp_path: Path) -> None:
    consumed = []

    async def stream():
        for piece in (b"a" * 600, b"b" * 600, b"c" * 600):
            consumed.append(piece)
            yield piece

    with writable(tmp_path / "f") as handle, pytest.raises(ObjectTooLarge):
        await spool(stream(), handle, max_bytes=1000)
    assert len(consumed) == 2


@pytest.mark.asyncio
async def test_a_full_disk_is_unavailable_but_a_broken_stream_is_its_own_error(tmp_path: Path) -> None:
    with writable("/dev/full", buffering=0) as full, pytest.raises(ObjectStoreUnavailable):
        await spool(chunks_of(b"x" * 10), full, max_bytes=100)
    with writable(tmp_path / "f") as handle, pytest.raises(ConnectionResetError):
        await spool(failing_after([b"x"]), handle, max_bytes=100)
