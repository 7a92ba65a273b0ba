"""Objects as files under one folder; the default when no MinIO is configured.

Layout: the object ``a/b/c.pdf`` is the file ``<root>/a/b/c.pdf``; its content type, sha256 and
time sit next to it in ``<root>/a/b/.c.pdf.meta.json``. Keys never have a segment starting with a
dot (see ``check_key``), so dot-files are never objects: metadata and partial uploads live there.

An upload is written to a dot-file in the target folder, fsynced, and renamed into place only when
complete, metadata first: a new object exists exactly when its data file does, and a failed or
oversized upload leaves nothing behind. (Overwriting an existing key has a moment where the new
metadata sits next to the old bytes; the product never rewrites a key, it writes new ones.)

The root is never created on the fly after start: if it disappears (an unmounted volume), the store
reports itself unavailable rather than quietly writing to the wrong disk.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
import tempfile
from collections.abc import AsyncGenerator, AsyncIterable
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, NoReturn

from server.clock import Clock
from server.errors import Conflict
from server.objects.base import (
    DEFAULT_CHUNK_SIZE,
    ObjectInfo,
    ObjectNotFound,
    ObjectStoreUnavailable,
    check_content_type,
    check_expires_in,
    check_key,
    check_prefix,
)
from server.objects.signing import UrlSigner
from server.objects.streams import spool

log = logging.getLogger("yiwang.objects")

_PARTIAL_PREFIX = ".upload-"


class ObjectKeyConflict(Conflict):
    """A file cannot also be a folder: ``a`` and ``a/b`` cannot both exist on a filesystem."""

    code = "object_key_conflict"
    default_message = "文件键与已有文件冲突"


class FilesystemObjectStore:
    def __init__(self, root: Path, *, signer: UrlSigner, base_url: str, clock: Clock) -> None:
        self.root = root
        self._signer = signer
        self._base_url = base_url.rstrip("/")
        self._clock = clock
        root.mkdir(parents=True, exist_ok=True)

    # ------------------------------------------------------------------ paths
    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    @staticmethod
    def _meta_path(path: Path) -> Path:
        return path.with_name(f".{path.name}.meta.json")

    def _require_root(self) -> None:
        if not self.root.is_dir():
            log.warning("object store root %s is missing", self.root)
            raise ObjectStoreUnavailable()

    def _not_found(self, key: str) -> NoReturn:
        self._require_root()
        raise ObjectNotFound(key=key)

    # ------------------------------------------------------------------ writing
    async def put(self, key: str, chunks: AsyncIterable[bytes], *, max_bytes: int,
                  content_type: str = "application/octet-stream") -> ObjectInfo:
        path = self._path(key)
        check_content_type(content_type)
        handle, partial = await asyncio.to_thread(self._open_partial, key, path)
        meta_partial: Path | None = None
        try:
            with handle:
                spooled = await spool(chunks, handle, max_bytes=max_bytes)
            info = ObjectInfo(key=key, size=spooled.size, content_type=content_type, sha256=spooled.sha256,
                              modified=self._clock.now())
            meta_partial = await asyncio.to_thread(self._write_partial_meta, path, info)
            await asyncio.to_thread(self._commit, key, path, partial, meta_partial)
            return info
        except BaseException:
            await asyncio.to_thread(_remove_quietly, partial, meta_partial)
            raise

    def _open_partial(self, key: str, path: Path) -> tuple[BinaryIO, Path]:
        self._require_root()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=_PARTIAL_PREFIX)
        except (FileExistsError, NotADirectoryError):
            raise ObjectKeyConflict(key=key) from None
        except OSError as exc:
            log.warning("object store cannot write under %s: %s", path.parent, exc)
            raise ObjectStoreUnavailable() from exc
        return os.fdopen(fd, "wb"), Path(name)

    def _write_partial_meta(self, path: Path, info: ObjectInfo) -> Path:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=_PARTIAL_PREFIX)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"content_type": info.content_type, "sha256": info.sha256,
                       "modified": info.modified.isoformat()}, handle)
        return Path(name)

    def _commit(self, key: str, path: Path, partial: Path, meta_partial: Path) -> None:
        if path.is_dir():
            raise ObjectKeyConflict(key=key)
        try:
            os.replace(meta_partial, self._meta_path(path))
            os.replace(partial, path)
        except OSError as exc:
            log.warning("object store cannot commit %s: %s", key, exc)
            raise ObjectStoreUnavailable() from exc

    async def delete(self, key: str) -> None:
        path = self._path(key)
        await asyncio.to_thread(self._delete, path)

    def _delete(self, path: Path) -> None:
        self._require_root()
        if path.is_dir():
            return  # a folder of other objects, not an object: nothing to delete under this key
        # Data first: the object stops existing before its metadata goes.
        path.unlink(missing_ok=True)
        self._meta_path(path).unlink(missing_ok=True)

    # ------------------------------------------------------------------ reading
    async def get(self, key: str, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> AsyncGenerator[bytes, None]:
        path = self._path(key)
        handle = await asyncio.to_thread(self._open_for_reading, key, path)
        try:
            while chunk := await asyncio.to_thread(handle.read, chunk_size):
                yield chunk
        finally:
            handle.close()

    def _open_for_reading(self, key: str, path: Path) -> BinaryIO:
        try:
            return open(path, "rb")  # closed by get() across its yields
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            self._not_found(key)

    async def stat(self, key: str) -> ObjectInfo:
        path = self._path(key)
        return await asyncio.to_thread(self._stat, key, path)

    def _stat(self, key: str, path: Path) -> ObjectInfo:
        info = self._read_info(key, path)
        if info is None:
            self._not_found(key)
        return info

    def _read_info(self, key: str, path: Path) -> ObjectInfo | None:
        try:
            status = path.stat()
            if not stat.S_ISREG(status.st_mode):
                return None
            meta = json.loads(self._meta_path(path).read_text(encoding="utf-8"))
        except (FileNotFoundError, NotADirectoryError):
            return None
        return ObjectInfo(key=key, size=status.st_size, content_type=meta["content_type"], sha256=meta["sha256"],
                          modified=datetime.fromisoformat(meta["modified"]))

    def _list(self, prefix: str) -> list[ObjectInfo]:
        self._require_root()
        # Only the folder the prefix points into is walked, and only subfolders that can still match.
        folder = prefix.rpartition("/")[0]
        start = self.root / folder if folder else self.root
        found: list[ObjectInfo] = []
        for current, dirs, files in os.walk(start):
            relative = Path(current).relative_to(self.root).as_posix()
            base = "" if relative == "." else relative + "/"
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and _may_match(base + d + "/", prefix))
            for name in files:
                key = base + name
                if name.startswith(".") or not key.startswith(prefix):
                    continue
                info = self._read_info(key, Path(current) / name)
                if info is not None:
                    found.append(info)
        return sorted(found, key=lambda info: info.key)

    async def list(self, prefix: str) -> list[ObjectInfo]:
        check_prefix(prefix)
        return await asyncio.to_thread(self._list, prefix)

    # ------------------------------------------------------------------ links and health
    async def signed_url(self, key: str, *, expires_in: int, filename: str | None = None) -> str:
        check_key(key)
        expires = int(self._clock.timestamp()) + check_expires_in(expires_in)
        return self._signer.url(self._base_url, key, expires, filename)

    async def ping(self) -> None:
        await asyncio.to_thread(self._ping)

    def _ping(self) -> None:
        self._require_root()
        if not os.access(self.root, os.W_OK | os.X_OK):
            log.warning("object store root %s is not writable", self.root)
            raise ObjectStoreUnavailable()

    async def close(self) -> None:
        return None


def _may_match(folder: str, prefix: str) -> bool:
    return folder.startswith(prefix) or prefix.startswith(folder)


def _remove_quietly(*paths: Path | None) -> None:
    for path in paths:
        if path is not None:
            path.unlink(missing_ok=True)
