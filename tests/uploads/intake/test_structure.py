from __future__ import annotations

import random

import pytest

from tests.uploads.intake.factories import (
    GOOD,
    bmff_box,
    encode,
    heic,
    jpeg_with_segment,
    motion_photo_video,
    pages_pdf,
    png_chunk,
    png_with_chunk_before_iend,
    samsung_trailer,
    sharp_picture,
    zip_archive,
)
from uploads.intake.errors import CorruptFile, PolyglotFile, TruncatedFile
from uploads.intake.sniff import FileKind
from uploads.intake.structure import check_image_structure

PADDING = 64
COM, APP1 = 0xFE, 0xE1


def check(data: bytes, kind: FileKind = FileKind.JPEG) -> None:
    check_image_structure(data, kind, max_padding=PADDING)


def small_jpeg() -> bytes:
    return encode(sharp_picture((96, 64)), "JPEG", quality=90)


def small_png() -> bytes:
    return encode(sharp_picture((96, 64)), "PNG")


@pytest.mark.parametrize(
    "name", ["flower.jpg", "sugarshack.mpo", "frame_size.mpo", "xmp_test.jpg", "iptc.jpg", "pil_sample_cmyk.jpg"]
)
def test_real_jpegs_pass(name: str) -> None:
    check((GOOD / name).read_bytes())


@pytest.mark.parametrize(
    ("name", "kind"),
    [("hopper.png", FileKind.PNG), ("xmp_tags_orientation.png", FileKind.PNG), ("hopper.webp", FileKind.WEBP)],
)
def test_real_png_and_webp_pass(name: str, kind: FileKind) -> None:
    check((GOOD / name).read_bytes(), kind)


def test_heic_passes() -> None:
    check(heic(sharp_picture((64, 48))), FileKind.HEIF)


@pytest.mark.parametrize(
    "appended",
    [zip_archive(), pages_pdf(1), b"<html><body><script>alert(document.cookie)</script></body></html>", b"\x01" * 10],
    ids=["zip", "pdf", "html", "junk"],
)
def test_data_after_the_jpeg_end_is_a_polyglot(appended: bytes) -> None:
    with pytest.raises(PolyglotFile) as refused:
        check(small_jpeg() + appended)
    assert refused.value.code == "polyglot_file"
    assert refused.value.status == 422


@pytest.mark.parametrize(
    "payload",
    [
        b"<script>fetch('/api/me')</script>",
        b"<?php system($_GET['c']); ?>",
        pages_pdf(1),  # a whole PDF hiding in a comment: "a PDF with a JPEG header"
        zip_archive(),
        b"<svg onload=alert(1)>",
    ],
    ids=["script", "php", "pdf", "zip", "svg"],
)
def test_foreign_formats_hidden_in_metadata_are_polyglots(payload: bytes) -> None:
    with pytest.raises(PolyglotFile):
        check(jpeg_with_segment(small_jpeg(), COM, payload))
    with pytest.raises(PolyglotFile):
        check(jpeg_with_segment(small_jpeg(), APP1, b"Exif\x00\x00" + payload))


def test_harmless_comment_and_small_padding_pass() -> None:
    check(jpeg_with_segment(small_jpeg(), COM, "拍摄于办事大厅 <b>".encode()) + b"\x00" * PADDING)


def test_padding_beyond_the_tolerance_is_refused() -> None:
    with pytest.raises(PolyglotFile):
        check(small_jpeg() + b"\x00" * (PADDING + 1))


def test_what_cameras_append_passes() -> None:
    jpeg = small_jpeg()
    check(jpeg + jpeg)  # MPO / UltraHDR gain map: a second JPEG stream
    check(jpeg + motion_photo_video())  # Google motion photo
    check(jpeg + samsung_trailer())  # Samsung SEFH/SEFT trailer


def test_what_cameras_append_is_searched_too() -> None:
    jpeg = small_jpeg()
    with pytest.raises(PolyglotFile):
        check(jpeg + samsung_trailer(b"\x00\x00\x01\x0a<html><script>x</script>"))
    with pytest.raises(PolyglotFile):
        check(jpeg + bmff_box(b"ftyp", b"mp42\x00\x00\x00\x00") + bmff_box(b"free", b"<script>x</script>"))
    with pytest.raises(PolyglotFile):
        check(jpeg + jpeg_with_segment(jpeg, COM, b"%PDF-1.7"))
    with pytest.raises(PolyglotFile):
        check(jpeg + motion_photo_video() + zip_archive())


def test_png_trailers_and_text_chunks() -> None:
    png = small_png()
    check(png_with_chunk_before_iend(png, png_chunk(b"tEXt", b"Comment\x00scanned at the counter")), FileKind.PNG)
    with pytest.raises(PolyglotFile):
        check(png + b"<html><script>alert(1)</script>", FileKind.PNG)
    with pytest.raises(PolyglotFile):
        check(png_with_chunk_before_iend(png, png_chunk(b"tEXt", b"Comment\x00<iframe src=x>")), FileKind.PNG)
    with pytest.raises(PolyglotFile):
        check(png + zip_archive(), FileKind.PNG)


def test_webp_and_heif_trailers() -> None:
    webp = (GOOD / "hopper.webp").read_bytes()
    with pytest.raises(PolyglotFile):
        check(webp + zip_archive(), FileKind.WEBP)
    with pytest.raises(PolyglotFile):
        check(heic(sharp_picture((64, 48))) + b"<html>" * 20, FileKind.HEIF)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        ((GOOD / "flower.jpg").read_bytes()[:20_000], FileKind.JPEG),
        ((GOOD / "flower.jpg").read_bytes()[:-2], FileKind.JPEG),  # no EOI
        ((GOOD / "hopper.png").read_bytes()[:-6], FileKind.PNG),
        ((GOOD / "hopper.webp").read_bytes()[:-100], FileKind.WEBP),
    ],
    ids=["jpeg-half", "jpeg-no-eoi", "png", "webp"],
)
def test_truncated_files(data: bytes, kind: FileKind) -> None:
    with pytest.raises(TruncatedFile):
        check(data, kind)


def test_corrupt_structures() -> None:
    with pytest.raises(CorruptFile):
        check(b"\x89PNG\r\n\x1a\n" + png_chunk(b"IDAT", b"x") + png_chunk(b"IEND", b""), FileKind.PNG)
    with pytest.raises(CorruptFile):
        check(b"\xff\xd8\xff\xe0\x00\x01", FileKind.JPEG)  # segment length < 2
    with pytest.raises(CorruptFile):
        check(b"RIFF\x04\x00\x00\x00WEBP", FileKind.WEBP)


@pytest.mark.parametrize("kind", [FileKind.JPEG, FileKind.PNG, FileKind.WEBP, FileKind.HEIF])
def test_damaged_files_give_our_errors_only(kind: FileKind) -> None:
    source = {
        FileKind.JPEG: (GOOD / "flower.jpg").read_bytes(),
        FileKind.PNG: (GOOD / "hopper.png").read_bytes(),
        FileKind.WEBP: (GOOD / "hopper.webp").read_bytes(),
        FileKind.HEIF: heic(sharp_picture((64, 48))),
    }[kind]
    rng = random.Random(f"structure-{kind}")
    for _ in range(150):
        damaged = bytearray(source[: rng.randrange(8, len(source) + 1)])
        for _ in range(rng.randrange(0, 6)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        try:
            check(bytes(damaged), kind)
        except (PolyglotFile, TruncatedFile, CorruptFile):
            pass


def test_countless_tiny_segments_are_refused() -> None:
    jpeg = small_jpeg()
    with pytest.raises(CorruptFile):
        check(jpeg[:2] + b"\xff\xfe\x00\x02" * 70_000 + jpeg[2:])
    png = small_png()
    with pytest.raises(CorruptFile):
        check(png_with_chunk_before_iend(png, png_chunk(b"teXt", b"") * 70_000), FileKind.PNG)
