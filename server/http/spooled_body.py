"""An upload body on its way to the object store: written to a temporary file as it arrives, bounded.

The type check needs the whole file (a DOCX and an XLSX differ only in their ZIP directory, which is at
the end), so the body is spooled to disk rather than held in memory or streamed blind. Used by staff
uploads (content files, joint step files); citizens' photos have their own intake (uploads/intake).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO

from server.http.base import BaseHandler


class UploadSpool:
    def __init__(self, directory: Path, *, max_bytes: int) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(dir=directory, prefix="cms-", suffix=".part")
        self.path = Path(name)
        self.max_bytes = max_bytes
        self.size = 0
        self.too_large = False
        self._file: IO[bytes] | None = os.fdopen(descriptor, "wb")

    def write(self, chunk: bytes) -> None:
        # Chunks of at most 64 KB from Tornado: the page cache takes them in microseconds.
        self.size += len(chunk)
        if self.size > self.max_bytes:
            self.too_large = True
        if self.too_large or self._file is None:
            return
        self._file.write(chunk)

    def finish(self) -> Path:
        if self._file is not None:
            self._file.close()
            self._file = None
        return self.path

    def discard(self) -> None:
        """Safe to call more than once, and after ``finish``."""
        self.finish()
        self.path.unlink(missing_ok=True)


class SpooledBodyHandler(BaseHandler):
    """A handler whose raw body (any Content-Type: the type is sniffed) goes to a spool file as it arrives,
    at most ``MAX_UPLOAD_BYTES`` (413 beyond); the spool file is deleted when the request ends, whatever
    happened."""

    _spool: UploadSpool | None = None

    def body_limit(self) -> int:
        return self.deps.settings.max_upload_bytes

    async def prepare(self) -> None:
        await super().prepare()
        if not self._finished:
            self._spool = UploadSpool(self.deps.settings.var_dir / "spool", max_bytes=self.body_limit())

    def data_received(self, chunk: bytes) -> None:
        self._received += len(chunk)
        if self._received > self.body_limit():
            self._too_large = True
        if self._spool is not None:
            self._spool.write(chunk)

    def spooled(self) -> tuple[Path, int]:
        """The spool file, complete, and its size."""
        assert self._spool is not None
        return self._spool.finish(), self._spool.size

    def on_finish(self) -> None:
        if self._spool is not None:
            self._spool.discard()
        super().on_finish()

    def on_connection_close(self) -> None:
        if self._spool is not None:
            self._spool.discard()
        super().on_connection_close()
