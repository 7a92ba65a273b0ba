"""What only the filesystem backend has: its layout on disk and a root that can vanish."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from server.clock import FrozenClock
from server.objects.base import ObjectStoreUnavailable, ObjectTooLarge
from server.objects.filesystem import ObjectKeyConflict
from tests.server.objects.helpers import chunks_of, failing_after, filesystem_store, read_all


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


@pytest.mark.asyncio
async def test_an_object_is_a_plain_file_with_its_metadata_beside_it(tmp_path: Path) -> None:
    store = filesystem_store(tmp_path)
    await store.put("cases/7/form.pdf", chunks_of(b"form"), max_bytes=10, content_type="application/pdf")
    assert (tmp_path / "cases/7/form.pdf").read_bytes() == b"form"
    assert files_under(tmp_path) == ["cases/7/.form.pdf.meta.json", "cases/7/form.pdf"]
    await store.delete("cases/7/form.pdf")
    assert files_under(tmp_path) == []


@pytest.mark.asyncio
async def test_failed_uploads_leave_no_partial_files(tmp_path: Path) -> None:
    store = filesystem_store(tmp_path)
    with pytest.raises(ObjectTooLarge):
        await store.put("a/b", chunks_of(b"x" * 3 * 1024 * 1024), max_bytes=2 * 1024 * 1024)
    with pytest.raises(ConnectionResetError):
        await store.put("a/c", failing_after([b"x" * 2 * 1024 * 1024]), max_bytes=10 * 1024 * 1024)
    assert files_under(tmp_path) == []


@pytest.mark.asyncio
async def test_stray_dot_files_are_never_listed(tmp_path: Path) -> None:
    store = filesystem_store(tmp_path)
    await store.put("a/real", chunks_of(b"x"), max_bytes=10)
    (tmp_path / "a" / ".upload-abandoned").write_bytes(b"half")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "thing").write_bytes(b"x")
    assert [info.key for info in await store.list("")] == ["a/real"]


@pytest.mark.asyncio
async def test_a_key_cannot_be_both_a_file_and_a_folder(tmp_path: Path) -> None:
    store = filesystem_store(tmp_path)
    await store.put("a", chunks_of(b"file"), max_bytes=10)
    with pytest.raises(ObjectKeyConflict):
        await store.put("a/b", chunks_of(b"inside"), max_bytes=10)
    await store.put("c/d", chunks_of(b"inside"), max_bytes=10)
    with pytest.raises(ObjectKeyConflict):
        await store.put("c", chunks_of(b"file"), max_bytes=10)
    await store.delete("c")
    assert await read_all(store, "c/d") == b"inside"
    assert files_under(tmp_path) == [".a.meta.json", "a", "c/.d.meta.json", "c/d"]


@pytest.mark.asyncio
async def test_a_vanished_root_is_unavailable_and_not_recreated(tmp_path: Path) -> None:
    root = tmp_path / "objects"
    store = filesystem_store(root)
    await store.put("a/b", chunks_of(b"x"), max_bytes=10)
    shutil.rmtree(root)
    with pytest.raises(ObjectStoreUnavailable):
        await store.ping()
    with pytest.raises(ObjectStoreUnavailable):
        await store.put("a/b", chunks_of(b"x"), max_bytes=10)
    with pytest.raises(ObjectStoreUnavailable):
        await store.stat("a/b")
    with pytest.raises(ObjectStoreUnavailable):
        await read_all(store, "a/b")
    with pytest.raises(ObjectStoreUnavailable):
        await store.list("")
    assert not root.exists()


@pytest.mark.asyncio
async def test_signed_urls_expire_by_the_injected_clock(tmp_path: Path) -> None:
    clock = FrozenClock()
    store = filesystem_store(tmp_path, base_url="https://gov.example/", clock=clock)
    url = await store.signed_url("a/b", expires_in=300)
    assert url.startswith("https://gov.example/objects/a/b?")
    assert f"expires={int(clock.timestamp()) + 300}" in url
