"""Container walkers for the accepted image formats: is the file complete, and is it only an image?

Pillow decodes what it recognises and ignores the rest, so a JPEG with a ZIP, a PDF or an HTML page
appended (or hidden in a comment) decodes fine. Policy, checked here before any decoding:

* The container must be complete (JPEG up to EOI, PNG up to IEND, WebP up to the RIFF size, HEIF boxes
  up to the end of the file); a structure that runs past the end of the file is ``truncated_file``.
* After the container only a few padding bytes may follow (``max_padding``), with the exceptions phone
  cameras write: further complete JPEG streams after a JPEG (MPO / UltraHDR gain maps), an ISO-BMFF video
  (motion photos) and a Samsung ``SEFH``/``SEFT`` trailer. Anything else is ``polyglot_file``.
* Every byte that is not compressed pixel or video data (metadata segments, ancillary chunks, non-``mdat``
  boxes, trailers) is searched for the signatures of other formats (see ``signatures``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from uploads.intake.errors import CorruptFile, PolyglotFile, TruncatedFile
from uploads.intake.signatures import ByteSource, reject_foreign_signatures
from uploads.intake.sniff import FileKind

PADDING = frozenset(b"\x00\xff\t\n\r ")
# Segments, chunks and boxes in one file. Real files have tens (a PNG cut into 8 KB IDAT chunks has a few
# thousand); a 20 MB file of empty 12-byte chunks would keep this Python loop busy for seconds.
MAX_PARTS = 65_536

# In entropy-coded JPEG data a marker is 0xFF followed by anything but a stuffed zero, a restart marker
# or another fill byte.
_JPEG_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_NOT_FILL = re.compile(rb"[^\xff]")
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})
_JPEG_SOS, _JPEG_EOI, _JPEG_SOI = 0xDA, 0xD9, 0xD8
_JPEG_METADATA = frozenset({*range(0xE0, 0xF0), 0xFE})  # APPn and COM

_PNG_PIXEL_CHUNKS = frozenset({b"IDAT", b"fdAT"})
_WEBP_PIXEL_CHUNKS = frozenset({b"VP8 ", b"VP8L", b"ALPH", b"ANMF"})
_BMFF_TYPE = re.compile(rb"[A-Za-z0-9 ]{4}")


@dataclass
class _Walk:
    buf: ByteSource
    size: int
    metadata: list[tuple[int, int]] = field(default_factory=list)
    parts: int = 0

    def count_part(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise CorruptFile(reason="too_many_parts")

    def need(self, end: int) -> None:
        if end > self.size:
            raise TruncatedFile()

    def u16be(self, pos: int) -> int:
        self.need(pos + 2)
        return int.from_bytes(self.buf[pos : pos + 2], "big")

    def u32be(self, pos: int) -> int:
        self.need(pos + 4)
        return int.from_bytes(self.buf[pos : pos + 4], "big")

    def u32le(self, pos: int) -> int:
        self.need(pos + 4)
        return int.from_bytes(self.buf[pos : pos + 4], "little")

    def is_padding(self, start: int, end: int) -> bool:
        return all(byte in PADDING for byte in self.buf[start:end])


def check_image_structure(buf: ByteSource, kind: FileKind, *, max_padding: int) -> None:
    """Raise ``TruncatedFile``, ``CorruptFile`` or ``PolyglotFile`` unless ``buf`` is one clean image."""
    walk = _Walk(buf, len(buf))
    if kind is FileKind.JPEG:
        end = _walk_jpeg(walk, 0)
        _walk_camera_trailers(walk, end, max_padding)
    else:
        if kind is FileKind.PNG:
            end = _walk_png(walk)
        elif kind is FileKind.WEBP:
            end = _walk_webp(walk)
        elif kind is FileKind.HEIF:
            end = _walk_bmff(walk, 0)
        else:
            raise ValueError(f"not an image kind: {kind}")
        _reject_trailer(walk, end, max_padding)
    reject_foreign_signatures(buf, walk.metadata)


def _reject_trailer(walk: _Walk, end: int, max_padding: int) -> None:
    if end < walk.size and (walk.size - end > max_padding or not walk.is_padding(end, walk.size)):
        raise PolyglotFile(trailing_bytes=walk.size - end)


def _walk_jpeg(walk: _Walk, start: int) -> int:
    """Offset just after the EOI of the JPEG stream starting at ``start``."""
    buf = walk.buf
    if buf[start : start + 2] != b"\xff\xd8":
        raise CorruptFile(reason="jpeg_soi")
    pos = start + 2
    while True:
        walk.need(pos + 1)
        if buf[pos] != 0xFF:
            # libjpeg skips "extraneous bytes before marker" (broken Photoshop segments), so we do too,
            # but those bytes are searched like metadata.
            found = _JPEG_MARKER.search(buf, pos, walk.size)
            if found is None:
                raise TruncatedFile()
            walk.metadata.append((pos, found.start()))
            pos = found.start()
        fill_end = _NOT_FILL.search(buf, pos, walk.size)
        if fill_end is None:
            raise TruncatedFile()
        pos = fill_end.start()
        marker = buf[pos]
        pos += 1
        walk.count_part()
        if marker == _JPEG_EOI:
            return pos
        if marker in _JPEG_STANDALONE:
            continue
        if marker == _JPEG_SOI:
            raise CorruptFile(reason="jpeg_nested_soi")
        length = walk.u16be(pos)
        if length < 2:
            raise CorruptFile(reason="jpeg_segment_length")
        walk.need(pos + length)
        if marker in _JPEG_METADATA:
            walk.metadata.append((pos + 2, pos + length))
        pos += length
        if marker == _JPEG_SOS:
            found = _JPEG_MARKER.search(buf, pos, walk.size)
            if found is None:
                raise TruncatedFile()
            pos = found.start()


def _walk_camera_trailers(walk: _Walk, pos: int, max_padding: int) -> None:
    """Accept what cameras append to a JPEG; reject everything else after its EOI."""
    sef_start = _samsung_trailer_start(walk)
    while pos < walk.size:
        pos = _skip_padding(walk, pos, max_padding)
        if pos == walk.size:
            return
        if walk.buf[pos : pos + 3] == b"\xff\xd8\xff":
            pos = _walk_jpeg(walk, pos)
        elif sef_start is not None and pos <= sef_start:
            # Samsung's trailer entries are opaque vendor data; only the signature search applies.
            walk.metadata.append((pos, walk.size))
            return
        elif walk.buf[pos + 4 : pos + 8] == b"ftyp":
            pos = _walk_bmff(walk, pos)
        else:
            raise PolyglotFile(trailing_bytes=walk.size - pos)


def _skip_padding(walk: _Walk, pos: int, max_padding: int) -> int:
    """Offset after at most ``max_padding`` padding bytes, stopping where an appended part starts."""
    end = pos
    while (
        end < walk.size
        and end - pos < max_padding
        and walk.buf[end] in PADDING
        and walk.buf[end : end + 3] != b"\xff\xd8\xff"
        and walk.buf[end + 4 : end + 8] != b"ftyp"
    ):
        end += 1
    return end


def _samsung_trailer_start(walk: _Walk) -> int | None:
    """Offset of the ``SEFH`` directory of a Samsung trailer ending the file, if there is one."""
    size = walk.size
    if size < 12 or walk.buf[size - 4 : size] != b"SEFT":
        return None
    start = size - 8 - walk.u32le(size - 8)
    return start if start >= 0 and walk.buf[start : start + 4] == b"SEFH" else None


def _walk_png(walk: _Walk) -> int:
    pos = 8
    first = True
    while True:
        walk.count_part()
        length = walk.u32be(pos)
        chunk_type = bytes(walk.buf[pos + 4 : pos + 8])
        if length > 0x7FFFFFFF or not chunk_type.isalpha():
            raise CorruptFile(reason="png_chunk")
        if first and chunk_type != b"IHDR":
            raise CorruptFile(reason="png_first_chunk")
        first = False
        end = pos + 12 + length
        walk.need(end)
        if chunk_type not in _PNG_PIXEL_CHUNKS:
            walk.metadata.append((pos + 8, pos + 8 + length))
        pos = end
        if chunk_type == b"IEND":
            return pos


def _walk_webp(walk: _Walk) -> int:
    riff_end = 8 + walk.u32le(4)
    if riff_end < 20:
        raise CorruptFile(reason="webp_riff_size")
    walk.need(riff_end)
    pos = 12
    while pos < riff_end:
        walk.count_part()
        if riff_end - pos < 8:
            raise CorruptFile(reason="webp_chunk")
        fourcc = bytes(walk.buf[pos : pos + 4])
        data_end = pos + 8 + walk.u32le(pos + 4)
        if data_end > riff_end:
            raise CorruptFile(reason="webp_chunk")
        if fourcc not in _WEBP_PIXEL_CHUNKS:
            walk.metadata.append((pos + 8, data_end))
        pos = data_end + (data_end - pos) % 2
    return riff_end


def _walk_bmff(walk: _Walk, start: int) -> int:
    """Walk top-level ISO-BMFF boxes from ``start`` to the end of the file."""
    pos = start
    while pos < walk.size:
        walk.count_part()
        size = walk.u32be(pos)
        box_type = bytes(walk.buf[pos + 4 : pos + 8])
        if _BMFF_TYPE.fullmatch(box_type) is None:
            raise PolyglotFile(trailing_bytes=walk.size - pos)
        header = 8
        if size == 1:
            walk.need(pos + 16)
            size = int.from_bytes(walk.buf[pos + 8 : pos + 16], "big")
            header = 16
        elif size == 0:
            size = walk.size - pos
        if size < header:
            raise CorruptFile(reason="bmff_box_size")
        walk.need(pos + size)
        if box_type != b"mdat":
            walk.metadata.append((pos + header, pos + size))
        pos += size
    return pos
