"""The one contract every object-store backend keeps; each test runs against the filesystem and MinIO."""

from __future__ import annotations

import hashlib
import os
import urllib.parse
from datetime import UTC, datetime, timedelta

import pytest

from server.objects.base import (
    InvalidContentType,
    InvalidObjectKey,
    ObjectNotFound,
    ObjectStore,
    ObjectTooLarge,
)
from tests.server.objects.conftest import Served
from tests.server.objects.helpers import chunks_of, failing_after, fetch, read_all

INVALID_KEYS = ["", "/etc/passwd", "../escape", "a/../../b", "a/./b", "a//b", "a/", ".meta/x",
                "a/.upload-1", "with space", "材料.pdf", "a\\b", "x" * 513]


@pytest.mark.asyncio
async def test_put_then_get_round_trips_a_stream_of_many_chunks(store: ObjectStore) -> None:
    # Past 5 MiB, so the MinIO backend goes through a multipart upload.
    data = os.urandom(6 * 1024 * 1024 + 123)
    info = await store.put("cases/1/scan.bin", chunks_of(data), max_bytes=len(data))
    assert info.size == len(data)
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert await read_all(store, "cases/1/scan.bin") == data
    pieces = [chunk async for chunk in store.get("cases/1/scan.bin", chunk_size=1024 * 1024)]
    assert len(pieces) == 7
    assert all(len(piece) <= 1024 * 1024 for piece in pieces)


@pytest.mark.asyncio
async def test_stat_reports_size_sha256_content_type_and_time(store: ObjectStore) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    data = b"%PDF-1.7 not really a pdf"
    await store.put("materials/a.pdf", chunks_of(data, 4), max_bytes=1000, content_type="application/pdf")
    info = await store.stat("materials/a.pdf")
    assert info.key == "materials/a.pdf"
    assert info.size == len(data)
    assert info.content_type == "application/pdf"
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert before <= info.modified <= datetime.now(UTC) + timedelta(seconds=5)


@pytest.mark.asyncio
async def test_empty_object_is_an_object(store: ObjectStore) -> None:
    info = await store.put("empty", chunks_of(b""), max_bytes=10)
    assert info.size == 0
    assert info.sha256 == hashlib.sha256(b"").hexdigest()
    assert await read_all(store, "empty") == b""


@pytest.mark.asyncio
async def test_put_past_the_limit_raises_and_stores_nothing(store: ObjectStore) -> None:
    with pytest.raises(ObjectTooLarge):
        await store.put("big/one", chunks_of(b"x" * 1200, 400), max_bytes=1000)
    assert await store.list("big/") == []
    with pytest.raises(ObjectNotFound):
        await store.stat("big/one")
    exactly = await store.put("big/two", chunks_of(b"x" * 1000, 400), max_bytes=1000)
    assert exactly.size == 1000


@pytest.mark.asyncio
async def test_a_stream_that_fails_midway_stores_nothing_and_keeps_the_old_object(store: ObjectStore) -> None:
    with pytest.raises(ConnectionResetError):
        await store.put("up/new", failing_after([b"a" * 1000, b"b" * 1000]), max_bytes=10_000)
    assert await store.list("up/") == []
    with pytest.raises(ObjectNotFound):
        await store.stat("up/new")

    await store.put("up/kept", chunks_of(b"version one"), max_bytes=100)
    with pytest.raises(ConnectionResetError):
        await store.put("up/kept", failing_after([b"version two, half"]), max_bytes=100)
    with pytest.raises(ObjectTooLarge):
        await store.put("up/kept", chunks_of(b"z" * 101), max_bytes=100)
    assert await read_all(store, "up/kept") == b"version one"
    assert [info.key for info in await store.list("up/")] == ["up/kept"]


@pytest.mark.asyncio
async def test_a_complete_put_replaces_the_object(store: ObjectStore) -> None:
    await store.put("doc", chunks_of(b"first"), max_bytes=100, content_type="text/plain")
    await store.put("doc", chunks_of(b"second version"), max_bytes=100, content_type="application/json")
    assert await read_all(store, "doc") == b"second version"
    info = await store.stat("doc")
    assert (info.size, info.content_type) == (14, "application/json")


@pytest.mark.asyncio
async def test_missing_object_is_not_found(store: ObjectStore) -> None:
    with pytest.raises(ObjectNotFound):
        await store.stat("no/such/key")
    with pytest.raises(ObjectNotFound):
        await read_all(store, "no/such/key")


@pytest.mark.asyncio
async def test_delete_removes_and_is_idempotent(store: ObjectStore) -> None:
    await store.put("gone/soon", chunks_of(b"bye"), max_bytes=10)
    await store.delete("gone/soon")
    with pytest.raises(ObjectNotFound):
        await store.stat("gone/soon")
    await store.delete("gone/soon")
    await store.delete("never/existed")
    assert await store.list("gone/") == []


@pytest.mark.asyncio
async def test_list_returns_only_keys_with_the_prefix_nested_ones_included(store: ObjectStore) -> None:
    keys = ["cases/1/a.pdf", "cases/1/sub/deeper/b.jpg", "cases/10/c.pdf", "cases/2/d.pdf", "guides/x.png"]
    for key in keys:
        await store.put(key, chunks_of(key.encode()), max_bytes=100)

    listed = await store.list("cases/1/")
    assert [info.key for info in listed] == ["cases/1/a.pdf", "cases/1/sub/deeper/b.jpg"]
    assert listed[1].size == len(b"cases/1/sub/deeper/b.jpg")
    assert listed[1].sha256 == hashlib.sha256(b"cases/1/sub/deeper/b.jpg").hexdigest()
    # A prefix is a plain string prefix, not a folder.
    assert [info.key for info in await store.list("cases/1")] == [
        "cases/1/a.pdf", "cases/1/sub/deeper/b.jpg", "cases/10/c.pdf"]
    assert [info.key for info in await store.list("")] == sorted(keys)
    assert await store.list("nothing/") == []


@pytest.mark.asyncio
async def test_list_hides_the_uploads_in_progress(store: ObjectStore) -> None:
    started = []

    async def slow_stream():
        yield b"first half"
        started.append(True)
        # Listing while the upload is still open: it must not show up, neither as itself nor a temp file.
        assert [info.key for info in await store.list("")] == ["done"]
        yield b"second half"

    await store.put("done", chunks_of(b"done"), max_bytes=100)
    await store.put("later", slow_stream(), max_bytes=100)
    assert started == [True]
    assert [info.key for info in await store.list("")] == ["done", "later"]


@pytest.mark.asyncio
@pytest.mark.parametrize("key", INVALID_KEYS)
async def test_invalid_keys_are_refused_everywhere(store: ObjectStore, key: str) -> None:
    with pytest.raises(InvalidObjectKey):
        await store.put(key, chunks_of(b"x"), max_bytes=10)
    with pytest.raises(InvalidObjectKey):
        await store.stat(key)
    with pytest.raises(InvalidObjectKey):
        await read_all(store, key)
    with pytest.raises(InvalidObjectKey):
        await store.delete(key)
    with pytest.raises(InvalidObjectKey):
        await store.signed_url(key, expires_in=60)
    assert await store.list("") == []


@pytest.mark.asyncio
@pytest.mark.parametrize("prefix", ["/", "../", ".meta", "a//", "a b"])
async def test_invalid_prefixes_are_refused(store: ObjectStore, prefix: str) -> None:
    with pytest.raises(InvalidObjectKey):
        await store.list(prefix)


@pytest.mark.asyncio
async def test_content_type_must_be_a_media_type(store: ObjectStore) -> None:
    with pytest.raises(InvalidContentType):
        await store.put("k", chunks_of(b"x"), max_bytes=10, content_type="text/html\r\nX-Evil: 1")
    with pytest.raises(ObjectNotFound):
        await store.stat("k")


@pytest.mark.asyncio
async def test_signed_url_downloads_the_bytes_over_http(served: Served) -> None:
    data = os.urandom(300_000)
    await served.store.put("materials/9/photo.jpg", chunks_of(data), max_bytes=len(data),
                           content_type="image/jpeg")
    url = await served.store.signed_url("materials/9/photo.jpg", expires_in=60)
    response = await fetch(url)
    assert response.code == 200
    assert response.body == data
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["Content-Length"] == str(len(data))
    assert "Content-Disposition" not in response.headers


@pytest.mark.asyncio
async def test_signed_url_names_the_download_in_chinese(served: Served) -> None:
    await served.store.put("materials/9/id-card", chunks_of(b"card"), max_bytes=100, content_type="image/png")
    name = "身份证 正面.png"
    url = await served.store.signed_url("materials/9/id-card", expires_in=60, filename=name)
    response = await fetch(url)
    assert response.code == 200
    assert response.body == b"card"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{urllib.parse.quote(name, safe='')}" in disposition
    assert 'filename="___ __.png"' in disposition


@pytest.mark.asyncio
async def test_signed_url_lifetime_is_bounded(store: ObjectStore) -> None:
    await store.put("k", chunks_of(b"x"), max_bytes=10)
    for bad in (0, -5, 7 * 24 * 3600 + 1):
        with pytest.raises(ValueError, match="expires_in"):
            await store.signed_url("k", expires_in=bad)
