"""Files for intake tests: real samples from tests/data/images and small ones built on the spot."""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from uploads.intake.images import enable_heif

IMAGES = Path(__file__).resolve().parents[2] / "data" / "images"
GOOD = IMAGES / "good"
HOSTILE = IMAGES / "hostile"


def sample(name: str) -> Path:
    return GOOD / name


def sharp_picture(size: tuple[int, int] = (1200, 900), seed: int = 0, low: int = 60, high: int = 200) -> Image.Image:
    """A sharp RGB picture: blocks of random grey with hard edges, like print on paper."""
    width, height = size
    rng = np.random.default_rng(seed)
    blocks = rng.integers(low, high, ((height + 15) // 16, (width + 15) // 16), dtype=np.uint8)
    grey = np.kron(blocks, np.ones((16, 16), dtype=np.uint8))[:height, :width]
    return Image.fromarray(np.stack([grey, grey, (grey // 2) + 40], axis=-1).astype(np.uint8))


def encode(image: Image.Image, image_format: str = "JPEG", **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def jpeg_with_orientation(image: Image.Image, orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(image, "JPEG", quality=90, exif=exif.tobytes())


def jpeg_with_segment(jpeg: bytes, marker: int, payload: bytes) -> bytes:
    """``jpeg`` with an extra APPn/COM segment right after SOI."""
    segment = bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload
    return jpeg[:2] + segment + jpeg[2:]


def zip_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("payload.txt", "not an image " * 20)
    return buffer.getvalue()


def png_chunk(chunk_type: bytes, data: bytes) -> bytes:
    body = chunk_type + data
    return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")


def png_with_chunk_before_iend(png: bytes, chunk: bytes) -> bytes:
    return png[:-12] + chunk + png[-12:]


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header announces ``width`` x ``height`` with almost no pixel data behind it."""
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    pixels = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", pixels) + png_chunk(b"IEND", b"")


def heic(image: Image.Image, **options: object) -> bytes:
    enable_heif()
    return encode(image, "HEIF", quality=90, **options)


def bmff_box(box_type: bytes, payload: bytes) -> bytes:
    return (len(payload) + 8).to_bytes(4, "big") + box_type + payload


def motion_photo_video() -> bytes:
    """The shape of the MP4 a motion photo appends: ftyp, then opaque media data."""
    return bmff_box(b"ftyp", b"mp42\x00\x00\x00\x00isommp42") + bmff_box(b"mdat", bytes(range(256)) * 8)


def samsung_trailer(entry: bytes = b"\x00\x00\x01\x0aImage_UTC_Data1700000000000") -> bytes:
    """Samsung's trailer: entries, an SEFH directory, its length and SEFT."""
    directory = b"SEFH" + b"\x6b\x00\x00\x00\x01\x00\x00\x00" + b"\x00\x00\x01\x0a" + len(entry).to_bytes(4, "little")
    return entry + directory + len(directory).to_bytes(4, "little") + b"SEFT"


# --- PDF -------------------------------------------------------------------------------------------------


def pdf(objects: dict[int, bytes], *, root: int = 1, trailer_extra: bytes = b"", version: bytes = b"1.4") -> bytes:
    """A classic PDF (xref table) made of ``objects`` by number."""
    out = bytearray(b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in objects.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R " % (size, root) + trailer_extra + b">>\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def pages_pdf(pages: int, *, catalog_extra: bytes = b"", trailer_extra: bytes = b"") -> bytes:
    """A PDF with ``pages`` empty A4 pages: 1 catalog, 2 page tree, 3.. pages."""
    kids = b" ".join(b"%d 0 R" % (3 + index) for index in range(pages))
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        2: b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
    }
    for index in range(pages):
        objects[3 + index] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"
    return pdf(objects, trailer_extra=trailer_extra)


def object_stream_pdf(pages: int, *, hidden: bytes = b"", inflated_padding: int = 0) -> bytes:
    """A PDF 1.5 whose page tree and pages sit in a compressed object stream (as Word and phones write)."""
    kids = b" ".join(b"%d 0 R" % (3 + index) for index in range(pages))
    packed = {2: b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages}
    for index in range(pages):
        packed[3 + index] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] " + hidden + b">>"
    bodies = b""
    table = []
    for number, body in packed.items():
        table.append(b"%d %d" % (number, len(bodies)))
        bodies += body + b" "
    header = b" ".join(table) + b" "
    data = zlib.compress(header + bodies + b" " * inflated_padding)
    stream_object = (
        b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(packed), len(header), len(data))
        + data
        + b"\nendstream"
    )
    return pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>", 1000: stream_object}, version=b"1.5")
