"""Stream an upload body to a temporary file: bounded, hashed as it arrives, gone when abandoned.

Made for Tornado's ``@stream_request_body``: ``write`` is called from ``data_received`` with chunks of
at most 64 KB, which the page cache absorbs in microseconds, so it does not need a thread.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

from uploads.intake.errors import CaseQuotaExceeded, EmptyFile, FileTooLarge, TruncatedFile
from uploads.intake.sniff import SNIFF_BYTES, FileKind, sniff


@dataclass(frozen=True)
class SpooledFile:
    """A complete upload on disk. Its owner deletes it (``discard``) once it is stored or refused."""

    path: Path
    size: int
    sha256: str

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


class SpooledUpload:
    """Writes one upload to ``directory``; refuses it as soon as it passes ``max_bytes``.

    ``case_remaining_bytes`` is what the case may still receive (its total limit minus what it holds);
    passing that is ``case_total_too_large`` rather than ``file_too_large``. The type is sniffed from the
    first bytes, so an unsupported file is refused before the rest of it is written.
    """

    def __init__(
        self, directory: Path, *, max_bytes: int, case_remaining_bytes: int | None = None
    ) -> None:
        self.max_bytes = max_bytes
        self.case_remaining_bytes = case_remaining_bytes
        self.size = 0
        self.kind: FileKind | None = None
        self._hash = hashlib.sha256()
        self._head = b""
        descriptor, name = tempfile.mkstemp(dir=directory, prefix="upload-", suffix=".part")
        self.path = Path(name)
        self._file: IO[bytes] | None = os.fdopen(descriptor, "wb")

    def expect(self, declared_size: int | None) -> None:
        """Refuse early on a ``Content-Length`` that is over a limit already."""
        if declared_size is not None:
            self._check_limits(declared_size)

    def write(self, chunk: bytes) -> None:
        if self._file is None:
            raise RuntimeError("upload already finished or aborted")
        try:
            self._check_limits(self.size + len(chunk))
            if self.kind is None:
                self._head += chunk[: SNIFF_BYTES - len(self._head)]
                if len(self._head) >= SNIFF_BYTES:
                    self.kind = sniff(self._head)
        except BaseException:
            self.abort()
            raise
        self._file.write(chunk)
        self._hash.update(chunk)
        self.size += len(chunk)

    def finish(self, expected_size: int | None = None) -> SpooledFile:
        """The complete file; ``expected_size`` (the declared length) must match what arrived."""
        if self._file is None:
            raise RuntimeError("upload already finished or aborted")
        try:
            if self.size == 0:
                raise EmptyFile()
            if expected_size is not None and expected_size != self.size:
                raise TruncatedFile(received=self.size, expected=expected_size)
            if self.kind is None:
                self.kind = sniff(self._head)
            self._file.close()
            self._file = None
        except BaseException:
            self.abort()
            raise
        return SpooledFile(self.path, self.size, self._hash.hexdigest())

    def abort(self) -> None:
        """Forget the upload (client gone, limit passed, handler failed). Safe to call more than once."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self.path.unlink(missing_ok=True)

    def _check_limits(self, size: int) -> None:
        if self.case_remaining_bytes is not None and size > self.case_remaining_bytes:
            raise CaseQuotaExceeded(remaining_bytes=max(0, self.case_remaining_bytes))
        if size > self.max_bytes:
            raise FileTooLarge(max_bytes=self.max_bytes)

    def __enter__(self) -> SpooledUpload:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is not None:
            self.abort()
