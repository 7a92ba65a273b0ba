"""An upload body on its way to the object store: written to a temporary file as it arrives, bounded.

The type check needs the whole file (a DOCX and an XLSX differ only in their ZIP directory, which is at
the end), so the body is spooled to disk rather than held in memory or streamed blind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO


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
