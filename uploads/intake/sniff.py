"""The file type of an upload, decided by its first bytes only: names and Content-Type headers lie."""

from __future__ import annotations

import enum

from uploads.intake.errors import EmptyFile, UnsupportedFileType

# Enough for every signature below, including an ISO-BMFF ftyp box with a few compatible brands.
SNIFF_BYTES = 64

# Major or compatible brands of HEVC-coded HEIF; `mif1`/`msf1` are the generic HEIF brands that phones
# also write as the major brand. AVIF shares the container but not the codec, so it is not accepted.
HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
GENERIC_HEIF_BRANDS = frozenset({b"mif1", b"msf1", b"mif2"})
AVIF_BRANDS = frozenset({b"avif", b"avis"})


class FileKind(enum.StrEnum):
    JPEG = "jpeg"
    PNG = "png"
    WEBP = "webp"
    HEIF = "heif"
    PDF = "pdf"

    @property
    def is_image(self) -> bool:
        return self is not FileKind.PDF


MIME_TYPES = {
    FileKind.JPEG: "image/jpeg",
    FileKind.PNG: "image/png",
    FileKind.WEBP: "image/webp",
    FileKind.HEIF: "image/heic",
    FileKind.PDF: "application/pdf",
}


def sniff(head: bytes) -> FileKind:
    """The kind of file whose first bytes are ``head`` (at least ``SNIFF_BYTES`` of them if available)."""
    if not head:
        raise EmptyFile()
    if head.startswith(b"\xff\xd8\xff"):
        return FileKind.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileKind.PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return FileKind.WEBP
    if head.startswith(b"%PDF-"):
        return FileKind.PDF
    if _is_heif(head):
        return FileKind.HEIF
    raise UnsupportedFileType()


def _is_heif(head: bytes) -> bool:
    if len(head) < 16 or head[4:8] != b"ftyp":
        return False
    box_size = int.from_bytes(head[:4], "big")
    major = head[8:12]
    compatible = {head[i : i + 4] for i in range(16, min(box_size, len(head)) - 3, 4)}
    brands = compatible | {major}
    if brands & HEIF_BRANDS:
        return True
    return major in GENERIC_HEIF_BRANDS and not brands & AVIF_BRANDS
