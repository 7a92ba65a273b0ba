from __future__ import annotations

import pytest

from tests.uploads.intake.factories import GOOD, HOSTILE, encode, heic, pages_pdf, sharp_picture, zip_archive
from uploads.intake.errors import EmptyFile, UnsupportedFileType
from uploads.intake.sniff import SNIFF_BYTES, FileKind, sniff


def head(data: bytes) -> bytes:
    return data[:SNIFF_BYTES]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("flower.jpg", FileKind.JPEG),
        ("sugarshack.mpo", FileKind.JPEG),
        ("hopper.png", FileKind.PNG),
        ("hopper.webp", FileKind.WEBP),
        ("duplicate_xref_entry.pdf", FileKind.PDF),
    ],
)
def test_accepted_types_are_known_by_their_bytes(name: str, kind: FileKind) -> None:
    assert sniff(head((GOOD / name).read_bytes())) is kind


def test_heic_from_pillow_heif_is_heif() -> None:
    assert sniff(head(heic(sharp_picture((64, 48))))) is FileKind.HEIF


@pytest.mark.parametrize(
    "ftyp",
    [
        b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic",
        b"\x00\x00\x00\x18ftypheix\x00\x00\x00\x00mif1heix",
        b"\x00\x00\x00\x14ftypmsf1\x00\x00\x00\x00msf1",
    ],
)
def test_heif_brands(ftyp: bytes) -> None:
    assert sniff(ftyp + bytes(32)) is FileKind.HEIF


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + bytes(32),  # AVIF: same box, other codec
        b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1avifmiaf" + bytes(32),
        b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00isommp42" + bytes(32),  # MP4 video
        b"GIF89a" + bytes(40),
        b"BM" + bytes(60),
        b"II*\x00" + bytes(60),
        b"<html><script>alert(1)</script></html>",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"  %PDF-1.4 header not at the start",
    ],
)
def test_everything_else_is_unsupported(data: bytes) -> None:
    with pytest.raises(UnsupportedFileType) as refused:
        sniff(head(data))
    assert refused.value.status == 415
    assert refused.value.code == "unsupported_file_type"


def test_name_and_content_type_play_no_part() -> None:
    # A ZIP named .jpg, a PDF renamed .png: only the bytes count.
    with pytest.raises(UnsupportedFileType):
        sniff(head(zip_archive()))
    assert sniff(head(pages_pdf(1))) is FileKind.PDF
    assert sniff(head(encode(sharp_picture((8, 8)), "PNG"))) is FileKind.PNG


def test_empty_file() -> None:
    with pytest.raises(EmptyFile) as refused:
        sniff(b"")
    assert refused.value.status == 400


def test_most_hostile_samples_are_not_an_accepted_type() -> None:
    refused = 0
    for path in HOSTILE.iterdir():
        try:
            sniff(head(path.read_bytes()))
        except UnsupportedFileType:
            refused += 1
    # 119 of the 146 samples are TIFF, PSD, BMP, FLI, SGI, DDS, EPS, ... and never reach a decoder.
    assert refused >= 110
