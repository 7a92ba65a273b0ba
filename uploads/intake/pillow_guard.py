"""Turn whatever Pillow raises or warns on a hostile file into one of our 4xx errors.

Pillow signals broken input with a zoo of exceptions (OSError, SyntaxError, ValueError, struct.error,
NotImplementedError, DecompressionBombError, ...) and with warnings (malformed MPO headers, APNG syntax,
corrupt EXIF, DecompressionBombWarning). We re-encode only the first frame and drop all metadata, so those
warnings are deliberately ignored while decoding; the size limits are checked by us, not by the warning.
Warnings are process-wide state, so warnings of other threads are ignored too while a decode runs.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image, UnidentifiedImageError

from server.errors import AppError
from uploads.intake.errors import CorruptFile, ImageTooLarge, TruncatedFile

# warnings.catch_warnings swaps process-wide state and is not thread-safe: two decoding threads entering
# and leaving it in interleaved order would leave the filters of one of them installed for good. So the
# first decoder in installs the "ignore" filter and the last one out restores the previous filters.
_lock = threading.Lock()
_active = 0
_saved: warnings.catch_warnings[None] | None = None


@contextmanager
def _warnings_ignored() -> Iterator[None]:
    global _active, _saved
    with _lock:
        if _active == 0:
            _saved = warnings.catch_warnings()
            _saved.__enter__()
            warnings.simplefilter("ignore")
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _saved is not None:
                _saved.__exit__(None, None, None)
                _saved = None


@contextmanager
def decoding_guard() -> Iterator[None]:
    """Run Pillow code; any failure of the decoder becomes a ``CorruptFile`` family error."""
    with _warnings_ignored():
        try:
            yield
        except AppError:
            raise
        except Image.DecompressionBombError as exc:
            raise ImageTooLarge() from exc
        except MemoryError as exc:
            raise ImageTooLarge() from exc
        except UnidentifiedImageError as exc:
            raise CorruptFile(reason="unidentified") from exc
        except OSError as exc:
            if "truncated" in str(exc).lower():
                raise TruncatedFile() from exc
            raise CorruptFile(reason="decoder") from exc
        except Exception as exc:  # every decoder failure on user input is the input's fault
            raise CorruptFile(reason="decoder") from exc
