"""PDF uploads are stored as they are, after checking they are a complete, plain, countable document.

Policy (a small parser on purpose: no PDF library sees the file):

* ``%PDF-x.y`` at offset 0 and a ``%%EOF`` at the end; no ``%%EOF`` is ``truncated_file``, more than
  ``TRAILING_SLACK`` bytes (or anything but whitespace) after the last one is ``polyglot_file``, and so are
  ZIP and HTML signatures anywhere in the file.
* Encrypted PDFs (``/Encrypt``) are refused with ``pdf_encrypted``: staff could not open them, and
  encrypted object streams cannot be checked for active content.
* JavaScript, launch/submit/import actions, embedded files, RichMedia and XFA forms are refused with
  ``pdf_active_content``; so is any of those names (or ``ObjStm``) spelt with ``#xx`` escapes, which
  only serves to hide them. Compressed object streams are inflated (within ``max_pdf_inflated_bytes``)
  and checked too.
* Pages: ``/Count`` of the catalog's page tree, or the number of ``/Type /Page`` objects when there is no
  readable catalog; zero pages is ``corrupt_file``, more than ``max_pdf_pages`` is ``pdf_too_many_pages``.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from uploads.intake.errors import (
    CorruptFile,
    PdfActiveContent,
    PdfEncrypted,
    PdfTooComplex,
    PdfTooManyPages,
    PolyglotFile,
    TruncatedFile,
)
from uploads.intake.signatures import PDF_SIGNATURES, ByteSource, find_foreign_signature

TRAILING_SLACK = 1024
# Bounds on the Python-level loops over a file: far above what real PDFs contain (font names are the
# usual escaped names), far below what keeps a worker busy for seconds.
MAX_OBJECTS = 200_000
MAX_ESCAPED_NAMES = 100_000

_HEADER = re.compile(rb"%PDF-(\d\.\d)")
_WHITESPACE = frozenset(b"\x00\t\n\x0c\r ")
# Long names are searched in the raw bytes, streams included: a chance hit in compressed data is
# negligible, and they are found even where our stream boundaries would be fooled.
_ACTIVE_LONG = re.compile(rb"/(?:JavaScript|EmbeddedFiles?|RichMedia|Launch)(?![A-Za-z0-9])")
_ACTIVE_SHORT = re.compile(rb"/(?:JS|XFA|SubmitForm|ImportData|GoToE)(?![A-Za-z0-9])")
_ENCRYPT = re.compile(rb"/Encrypt(?![A-Za-z0-9])")
_ESCAPED_NAME = re.compile(rb"/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*#[0-9A-Fa-f]{2}[^\x00\t\n\x0c\r ()<>\[\]{}/%]*")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# Names we look for, and the structural names our search relies on: spelling one of them with escapes
# (legal, but no PDF writer does it; fonts like /Arial#2CBold escape other characters) is hiding.
_HIDDEN_NAMES = frozenset(
    b"JavaScript JS Launch EmbeddedFile EmbeddedFiles RichMedia XFA SubmitForm ImportData GoToE ObjStm "
    b"Encrypt OpenAction AA Type Filter FlateDecode DecodeParms First Catalog Pages Page Count".split()
)
_STREAM_START = re.compile(rb"\bstream(?:\r\n|\n|\r)")
# Anchored at the start of a digit run and bounded: unanchored, a long run of digits makes the search
# quadratic, and the regex engine holds the GIL, which would freeze the whole server.
_OBJECT_HEADER = re.compile(rb"(?<![0-9])([0-9]{1,10})[\x00\t\n\x0c\r ]+([0-9]{1,5})[\x00\t\n\x0c\r ]+obj\b")
_OBJSTM = re.compile(rb"/Type[\x00\t\n\x0c\r ]*/ObjStm(?![A-Za-z0-9])")
_CATALOG = re.compile(rb"/Type[\x00\t\n\x0c\r ]*/Catalog(?![A-Za-z0-9])")
_PAGE = re.compile(rb"/Type[\x00\t\n\x0c\r ]*/Page(?![A-Za-z0-9])")
_PAGES_REF = re.compile(rb"/Pages[\x00\t\n\x0c\r ]+([0-9]{1,10})[\x00\t\n\x0c\r ]+[0-9]{1,5}[\x00\t\n\x0c\r ]+R")
_COUNT = re.compile(rb"/Count[\x00\t\n\x0c\r ]+([0-9]{1,10})")
_FIRST = re.compile(rb"/First[\x00\t\n\x0c\r ]+([0-9]{1,10})")


@dataclass(frozen=True)
class PdfInfo:
    version: str
    pages: int


def inspect_pdf(buf: ByteSource, *, max_pages: int, max_inflated_bytes: int) -> PdfInfo:
    header = _HEADER.match(buf)
    if header is None:
        raise CorruptFile(reason="pdf_header")
    _check_end(buf)
    if _ENCRYPT.search(buf):
        raise PdfEncrypted()
    if _ACTIVE_LONG.search(buf) or _hides_names(buf):
        raise PdfActiveContent()
    found = find_foreign_signature(buf, signatures=PDF_SIGNATURES)
    if found is not None:
        raise PolyglotFile(signature=found[:16].decode("latin-1"))

    objects: dict[int, tuple[int, bytes]] = {}
    for seen, (position, number, body) in enumerate(_objects(buf, _Budget(max_inflated_bytes))):
        if seen >= MAX_OBJECTS:
            raise PdfTooComplex()
        if _ACTIVE_SHORT.search(body) or _ACTIVE_LONG.search(body):
            raise PdfActiveContent()
        previous = objects.get(number)
        if previous is None or previous[0] <= position:
            objects[number] = (position, body)
    return PdfInfo(version=header.group(1).decode("ascii"), pages=_count_pages(objects, max_pages))


def _check_end(buf: ByteSource) -> None:
    end = buf.rfind(b"%%EOF")
    if end == -1:
        raise TruncatedFile()
    tail_start = end + len(b"%%EOF")
    if len(buf) - tail_start > TRAILING_SLACK or any(b not in _WHITESPACE for b in buf[tail_start:]):
        raise PolyglotFile(trailing_bytes=len(buf) - tail_start)


def _hides_names(buf: ByteSource) -> bool:
    for seen, match in enumerate(_ESCAPED_NAME.finditer(buf)):
        if seen >= MAX_ESCAPED_NAMES:
            raise PdfTooComplex()
        name = _HEX_ESCAPE.sub(lambda escape: bytes([int(escape.group(1), 16)]), match.group(0)[1:])
        if name in _HIDDEN_NAMES:
            return True
    return False


class _Budget:
    """Bytes that object streams may still inflate to."""

    def __init__(self, remaining: int) -> None:
        self.remaining = remaining

    def spend(self, amount: int) -> None:
        self.remaining -= amount
        if self.remaining < 0:
            raise PdfTooComplex()


def _objects(buf: ByteSource, budget: _Budget) -> Iterator[tuple[int, int, bytes]]:
    """(position, object number, dictionary text) of every object, object streams included."""
    for start, end, stream_data in _segments(buf):
        segment = bytes(buf[start:end])
        headers = list(_OBJECT_HEADER.finditer(segment))
        for index, header in enumerate(headers):
            body_end = headers[index + 1].start() if index + 1 < len(headers) else len(segment)
            body = segment[header.end() : body_end].split(b"endobj", 1)[0]
            yield start + header.start(), int(header.group(1)), body
        # The dictionary right before a stream keyword belongs to the last object header.
        if stream_data is not None and headers and _OBJSTM.search(segment, headers[-1].end()):
            dictionary = segment[headers[-1].end() :]
            for number, body in _object_stream(buf, dictionary, stream_data, budget):
                yield start + headers[-1].start(), number, body


def _segments(buf: ByteSource) -> Iterator[tuple[int, int, tuple[int, int] | None]]:
    """Spans of ``buf`` outside stream data; each but the last is followed by the stream it opens."""
    position = 0
    size = len(buf)
    while position < size:
        opening = _STREAM_START.search(buf, position)
        if opening is None:
            yield position, size, None
            return
        closing = buf.find(b"endstream", opening.end())
        if closing == -1:
            raise TruncatedFile()
        yield position, opening.start(), (opening.end(), closing)
        position = closing + len(b"endstream")


def _object_stream(
    buf: ByteSource, dictionary: bytes, data_span: tuple[int, int], budget: _Budget
) -> Iterator[tuple[int, bytes]]:
    if b"/DecodeParms" in dictionary or (b"/Filter" in dictionary and b"/FlateDecode" not in dictionary):
        # Predictors or other codecs: we could not look inside, so neither will we store it.
        raise PdfTooComplex()
    data = bytes(buf[data_span[0] : data_span[1]])
    if b"/FlateDecode" in dictionary:
        try:
            data = zlib.decompressobj().decompress(data, budget.remaining + 1)
        except zlib.error as exc:
            raise CorruptFile(reason="pdf_object_stream") from exc
    budget.spend(len(data))
    first = _FIRST.search(dictionary)
    if first is None:
        raise CorruptFile(reason="pdf_object_stream")
    start = int(first.group(1))
    table = data[:start].split()
    if not all(token.isdigit() for token in table) or len(table) % 2:
        raise CorruptFile(reason="pdf_object_stream")
    pairs = [(int(table[i]), int(table[i + 1])) for i in range(0, len(table), 2)]
    for index, (number, offset) in enumerate(pairs):
        end = start + pairs[index + 1][1] if index + 1 < len(pairs) else len(data)
        yield number, data[start + offset : end]


def _count_pages(objects: dict[int, tuple[int, bytes]], max_pages: int) -> int:
    page_objects = sum(1 for _, body in objects.values() if _PAGE.search(body))
    declared = None
    # The newest catalog wins: incremental updates append a new one.
    for _, body in sorted(objects.values(), key=lambda item: item[0]):
        reference = _PAGES_REF.search(body) if _CATALOG.search(body) else None
        tree = objects.get(int(reference.group(1))) if reference else None
        count = _COUNT.search(tree[1]) if tree is not None else None
        if count is not None:
            declared = int(count.group(1))
    pages = declared or page_objects
    if pages == 0:
        raise CorruptFile(reason="pdf_no_pages")
    if max(pages, page_objects) > max_pages:
        raise PdfTooManyPages(pages=max(pages, page_objects), max_pages=max_pages)
    return pages
