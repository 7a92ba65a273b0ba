from __future__ import annotations

import struct
import threading
import warnings

import pytest
from PIL import Image, UnidentifiedImageError

from server.errors import AppError
from uploads.intake.errors import CorruptFile, ImageTooLarge, TruncatedFile
from uploads.intake.pillow_guard import decoding_guard


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (Image.DecompressionBombError("bomb"), ImageTooLarge),
        (MemoryError(), ImageTooLarge),
        (UnidentifiedImageError("cannot identify"), CorruptFile),
        (OSError("image file is truncated (8 bytes not processed)"), TruncatedFile),
        (OSError("broken data stream when reading image file"), CorruptFile),
        (SyntaxError("not a PNG file"), CorruptFile),
        (ValueError("Tile offset cannot be negative"), CorruptFile),
        (struct.error("unpack requires a buffer of 4 bytes"), CorruptFile),
        (NotImplementedError("Unimplemented pixel format"), CorruptFile),
    ],
)
def test_pillow_failures_become_4xx(raised: Exception, expected: type[AppError]) -> None:
    with pytest.raises(expected) as refused, decoding_guard():
        raise raised
    assert 400 <= refused.value.status < 500


def test_our_own_errors_pass_through() -> None:
    with pytest.raises(ImageTooLarge), decoding_guard():
        raise ImageTooLarge(pixels=1)


def test_warnings_inside_are_ignored_and_filters_restored() -> None:
    before = list(warnings.filters)
    with decoding_guard():
        warnings.warn("Image appears to be a malformed MPO file", UserWarning, stacklevel=1)
        warnings.warn("huge", Image.DecompressionBombWarning, stacklevel=1)
    assert warnings.filters == before
    with pytest.raises(UserWarning):  # this suite turns warnings into errors: still true outside
        warnings.warn("outside", UserWarning, stacklevel=1)


def test_interleaved_threads_leave_the_filters_as_they_were() -> None:
    before = list(warnings.filters)
    inside = threading.Barrier(8)
    leave_in_turn = [threading.Event() for _ in range(8)]

    def decode(index: int) -> None:
        with decoding_guard():
            inside.wait()
            warnings.warn("corrupt EXIF", UserWarning, stacklevel=1)
            leave_in_turn[index].wait()

    threads = [threading.Thread(target=decode, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    # Leave in an order unrelated to entry: catch_warnings alone would restore a stale state here.
    for index in (3, 0, 7, 1, 6, 2, 5, 4):
        leave_in_turn[index].set()
    for thread in threads:
        thread.join()
    assert warnings.filters == before
