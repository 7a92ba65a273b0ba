"""PDF uploads are stored as they are, after checking they are a complete, plain, countable document.

Policy (a small parser on purpose: no PDF library sees the file):

* ``%PDF-x.y`` at offset 0 and a ``%%EOF`` at the end; no ``%%EOF`` is ``truncated_file``, more than
  ``TRAILING_SLACK`` bytes (or anything but whitespace) after the last one is ``polyglot_file``, and so are
  ZIP and HTML signatures anywhere in the file.
* Structure: every ``N G obj`` is read as PDF readers read it (strings, comments, dictionaries, arrays), and a
  stream is the ``stream`` keyword right after an object's dictionary: its data is ``/Length`` bytes when that
  is a direct integer ending at ``endstream``, else (like readers) up to the first ``endstream``. What we
  cannot delimit with confidence is ``corrupt_file``: an object header inside a string or a stream's data,
  ``stream``/``obj`` anywhere but where the structure puts them, data holding ``endstream`` before its length.
* Encrypted PDFs (``/Encrypt``) are refused with ``pdf_encrypted``: staff could not open them, and
  encrypted object streams cannot be checked for active content.
* JavaScript, launch/submit/import actions, embedded files, RichMedia and XFA forms are refused with
  ``pdf_active_content``; so is any of those names (or ``ObjStm``) spelt with ``#xx`` escapes, which
  only serves to hide them. Everything outside stream data is checked, and so is every compressed object
  stream once inflated (within ``max_pdf_inflated_bytes``).
* Pages: ``/Count`` of the catalog's page tree, or the number of ``/Type /Page`` objects when there is no
  readable catalog; zero pages is ``corrupt_file``, more than ``max_pdf_pages`` is ``pdf_too_many_pages``.
"""

from __future__ import annotations

import bisect
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeAlias

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
# usual escaped names; a long text PDF has some hundred thousand tokens outside its streams), far below
# what keeps a worker busy for seconds.
MAX_OBJECTS = 200_000
MAX_ESCAPED_NAMES = 100_000
MAX_TOKENS = 1_000_000
MAX_NESTING = 64

_HEADER = re.compile(rb"%PDF-(\d\.\d)")
_WHITESPACE = frozenset(b"\x00\t\n\x0c\r ")
# Long names are searched in the raw bytes, streams included: a chance hit in compressed data is
# negligible, and they are found even if our stream boundaries were fooled.
_ACTIVE_LONG = re.compile(rb"/(?:JavaScript|EmbeddedFiles?|RichMedia|Launch)(?![A-Za-z0-9])")
_ACTIVE_SHORT = re.compile(rb"/(?:JS|XFA|SubmitForm|ImportData|GoToE)(?![A-Za-z0-9])")
_ENCRYPT = re.compile(rb"/Encrypt(?![A-Za-z0-9])")
_ESCAPED_NAME = re.compile(rb"/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*#[0-9A-Fa-f]{2}[^\x00\t\n\x0c\r ()<>\[\]{}/%]*")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# Names we look for, and the structural names our parser relies on: spelling one of them with escapes
# (legal, but no PDF writer does it; fonts like /Arial#2CBold escape other characters) is hiding.
_HIDDEN_NAMES = frozenset(
    b"JavaScript JS Launch EmbeddedFile EmbeddedFiles RichMedia XFA SubmitForm ImportData GoToE ObjStm "
    b"Encrypt OpenAction AA Type Filter FlateDecode DecodeParms First Length Catalog Pages Page Count".split()
)
# Anchored at the start of a digit run and bounded: unanchored, a long run of digits makes the search
# quadratic, and the regex engine holds the GIL, which would freeze the whole server.
_OBJECT_HEADER = re.compile(rb"(?<![0-9])([0-9]{1,10})[\x00\t\n\x0c\r ]+([0-9]{1,5})[\x00\t\n\x0c\r ]+obj\b")
# Between objects there are only the xref table, trailer, startxref and comments: either keyword there is
# an object or stream we did not see (a header written with comments in it, say), which a reader may see.
_STRAY_KEYWORD = re.compile(rb"(?<![A-Za-z0-9])(?:obj|stream)(?![A-Za-z0-9])")

_REGULAR = rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]"
# One token after optional whitespace; possessive, so that no input makes the engine backtrack.
_TOKEN = re.compile(
    rb"[\x00\t\n\x0c\r ]*+(?:(%[^\r\n]*+)|(<<|>>|\[|\]|\{|\})|<([^>]*+)>|(\()|/(" + _REGULAR + rb"*+)|("
    + _REGULAR
    + rb"++))"
)
_SPACE = re.compile(rb"[\x00\t\n\x0c\r ]*+")
_STRING_SPECIAL = re.compile(rb"[()\\]")
_EOL = re.compile(rb"\r\n|\n|\r")
_ENDSTREAM_AT = re.compile(rb"[\x00\t\n\x0c\r ]*+endstream")
_ENDOBJ_AT = re.compile(rb"(?:[\x00\t\n\x0c\r ]++|%[^\r\n]*+)*+endobj(?!" + _REGULAR + rb")")

_GROUP_COMMENT, _GROUP_DELIMITER, _GROUP_HEX, _GROUP_STRING, _GROUP_NAME, _GROUP_WORD = range(1, 7)
_OUT_OF_PLACE = frozenset((b">>", b"]", b"{", b"}"))
# Where an object's tokens end: its end, its stream, or (no endobj written) the file structure after it.
_OBJECT_END = frozenset((b"endobj", b"stream", b"xref", b"trailer", b"startxref"))
# Keywords that never appear inside an object: seeing one there means we misread where something starts.
_MISPLACED = frozenset((b"obj", b"endstream"))


class _Name(bytes):
    """A name object, its ``#xx`` escapes decoded."""


@dataclass(frozen=True)
class _Ref:
    number: int


class _Text:
    """A string object: its content does not matter to any check."""


_STRING = _Text()
# Delimiters and words are their bytes (no word can look like a delimiter), names are _Name.
_Token: TypeAlias = bytes | _Name | _Text
# A parsed object: reals and keywords other than references are kept as their bytes.
_Value: TypeAlias = _Name | int | _Ref | _Text | dict[bytes, "_Value"] | list["_Value"] | bytes | None


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

    work = _Work(max_inflated_bytes)
    top_level = _TopLevel(buf, work)
    objects: dict[int, tuple[int, _Value]] = {}
    for position, number, value in top_level.objects():
        previous = objects.get(number)
        if previous is None or previous[0] <= position:
            objects[number] = (position, value)
    # Stream data is left out: short names turn up by chance in compressed bytes.
    for start, end in top_level.text_spans:
        if _ACTIVE_SHORT.search(buf, start, end):
            raise PdfActiveContent()
    for start, end in top_level.gaps:
        if _STRAY_KEYWORD.search(buf, start, end):
            raise CorruptFile(reason="pdf_structure")
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
        if _decode_name(match.group(0)[1:]) in _HIDDEN_NAMES:
            return True
    return False


def _decode_name(raw: bytes) -> bytes:
    if b"#" not in raw:
        return raw
    return _HEX_ESCAPE.sub(lambda escape: bytes([int(escape.group(1), 16)]), raw)


class _Work:
    """What the checks of one file may still spend: inflated bytes, tokens, objects."""

    def __init__(self, inflated_bytes: int) -> None:
        self.inflated_bytes = inflated_bytes
        self.tokens = MAX_TOKENS
        self.objects = MAX_OBJECTS

    def inflate(self, amount: int) -> None:
        self.inflated_bytes -= amount
        if self.inflated_bytes < 0:
            raise PdfTooComplex()

    def token(self) -> None:
        self.tokens -= 1
        if self.tokens < 0:
            raise PdfTooComplex()

    def object(self) -> None:
        self.objects -= 1
        if self.objects < 0:
            raise PdfTooComplex()


class _TopLevel:
    """The objects of a file in file order, and which of its bytes are stream data and which lie between
    objects (filled in as ``objects()`` runs)."""

    def __init__(self, buf: ByteSource, work: _Work) -> None:
        self.buf = buf
        self.work = work
        self.text_spans: list[tuple[int, int]] = []  # everything but stream data
        self.gaps: list[tuple[int, int]] = []  # between objects

    def objects(self) -> Iterator[tuple[int, int, _Value]]:
        """(position, object number, value) of every object, the members of object streams included."""
        buf = self.buf
        position = text_start = 0
        headers = _OBJECT_HEADER.finditer(buf)
        header = next(headers, None)
        while header is not None:
            following = next(headers, None)
            if header.start() < position:
                # Inside a string or stream data of the object before: readers that find it through the
                # xref table see an object there that we did not check.
                raise CorruptFile(reason="pdf_structure")
            self.work.object()
            self.gaps.append((position, header.start()))
            bound = following.start() if following is not None else len(buf)
            value, stream, position = _read_object(buf, header.end(), bound, self.work)
            yield header.start(), int(header.group(1)), value
            if stream is not None:
                self.text_spans.append((text_start, stream[0]))
                text_start = stream[1]
                if isinstance(value, dict) and _is_object_stream(value):
                    data = _inflate(buf, value, stream, self.work)
                    for number, member in _object_stream(data, value, self.work):
                        yield header.start(), number, member
            header = following
        self.gaps.append((position, len(buf)))
        self.text_spans.append((text_start, len(buf)))


def _read_object(buf: ByteSource, start: int, bound: int, work: _Work) -> tuple[_Value, tuple[int, int] | None, int]:
    """The value of the object whose header ends at ``start``, its stream data span, and where it ends."""
    tokens, end, keyword = _tokens(buf, start, bound, work)
    value = _only_value(tokens)
    if keyword != b"stream":
        return value, None, end + len(b"endobj") if keyword == b"endobj" else end
    if not isinstance(value, dict):
        raise CorruptFile(reason="pdf_stream")
    length = value.get(b"Length")
    data_start, data_end, after = _stream_data(buf, end + len(b"stream"), length if type(length) is int else None)
    closing = _ENDOBJ_AT.match(buf, after)
    return value, (data_start, data_end), closing.end() if closing is not None else after


def _stream_data(buf: ByteSource, keyword_end: int, length: int | None) -> tuple[int, int, int]:
    """(start, end) of a stream's data, and the end of its ``endstream``."""
    eol = _EOL.match(buf, keyword_end)
    if eol is None:
        raise CorruptFile(reason="pdf_stream")
    start = eol.end()
    if length is not None and start + length <= len(buf):
        closing = _ENDSTREAM_AT.match(buf, start + length)
        if closing is not None:
            if buf.find(b"endstream", start, start + length) != -1:
                # Readers that search for endstream would end the data here, and read what follows as
                # objects that we took for data.
                raise CorruptFile(reason="pdf_stream")
            return start, start + length, closing.end()
    # An indirect or wrong length: readers then take the data up to the first endstream, and so do we.
    end = buf.find(b"endstream", start)
    if end == -1:
        raise TruncatedFile()
    return start, end, end + len(b"endstream")


def _tokens(buf: ByteSource, start: int, end: int, work: _Work) -> tuple[list[_Token], int, bytes | None]:
    """Tokens of ``buf[start:end]`` up to a keyword of ``_OBJECT_END``: (tokens, where that keyword or the
    end is, the keyword or None)."""
    tokens: list[_Token] = []
    position = start
    while True:
        work.token()
        match = _TOKEN.match(buf, position, end)
        if match is None:
            rest = _SPACE.match(buf, position, end)
            if rest is not None and rest.end() == end:
                return tokens, end, None
            raise CorruptFile(reason="pdf_syntax")  # a stray ")" or ">", or a "<" cut off by the next header
        position = match.end()
        group = match.lastindex
        if group == _GROUP_WORD:
            word = match.group(group)
            if word in _OBJECT_END:
                return tokens, match.start(group), word
            if word in _MISPLACED:
                raise CorruptFile(reason="pdf_structure")
            tokens.append(word)
        elif group == _GROUP_NAME:
            tokens.append(_Name(_decode_name(match.group(group))))
        elif group == _GROUP_DELIMITER:
            tokens.append(match.group(group))
        elif group == _GROUP_STRING:
            position = _string_end(buf, position, end, work)
            tokens.append(_STRING)
        elif group == _GROUP_HEX:
            tokens.append(_STRING)


def _string_end(buf: ByteSource, position: int, end: int, work: _Work) -> int:
    """The end of a literal string whose ``(`` ends at ``position``; balanced parentheses nest."""
    depth = 1
    while depth:
        work.token()
        special = _STRING_SPECIAL.search(buf, position, end)
        if special is None:
            # Unterminated before the next object header: the "string" would hide that object from us.
            raise CorruptFile(reason="pdf_structure")
        character = buf[special.start()]
        position = special.end()
        if character == 0x5C:  # backslash: the next byte is escaped
            position += 1
        else:
            depth += 1 if character == 0x28 else -1
    return position


def _only_value(tokens: list[_Token]) -> _Value:
    """The one value ``tokens`` make up (None for none); anything more or less is a syntax error."""
    if not tokens:
        return None
    try:
        value, used = _value(tokens, 0, 0)
    except IndexError as exc:
        raise CorruptFile(reason="pdf_syntax") from exc  # an unterminated dictionary or array
    if used != len(tokens):
        raise CorruptFile(reason="pdf_syntax")
    return value


def _value(tokens: list[_Token], index: int, depth: int) -> tuple[_Value, int]:
    if depth > MAX_NESTING:
        raise PdfTooComplex()
    token = tokens[index]
    if token == b"<<":
        entries: dict[bytes, _Value] = {}
        index += 1
        while (key := tokens[index]) != b">>":
            if type(key) is not _Name:
                raise CorruptFile(reason="pdf_syntax")
            # A repeated key: readers keep the last one.
            entries[key], index = _value(tokens, index + 1, depth + 1)
        return entries, index + 1
    if token == b"[":
        items: list[_Value] = []
        index += 1
        while tokens[index] != b"]":
            item, index = _value(tokens, index, depth + 1)
            items.append(item)
        return items, index + 1
    if token in _OUT_OF_PLACE:
        raise CorruptFile(reason="pdf_syntax")
    if type(token) is not bytes:
        return token, index + 1  # a name or a string
    number = _integer(token)
    if number is not None and index + 2 < len(tokens):
        generation, keyword = tokens[index + 1], tokens[index + 2]
        if (
            type(generation) is bytes
            and _integer(generation) is not None
            and type(keyword) is bytes
            and keyword == b"R"
        ):
            return _Ref(number), index + 3
    return (token if number is None else number), index + 1


def _integer(raw: bytes) -> int | None:
    # Bounded: int() of thousands of digits is slow, and refused past 4300.
    return int(raw) if raw.isdigit() and len(raw) <= 12 else None


def _is_object_stream(dictionary: dict[bytes, _Value]) -> bool:
    # Readers unpack the stream an xref entry names without looking at its /Type: /First is what they need.
    return dictionary.get(b"Type") == b"ObjStm" or b"First" in dictionary


def _inflate(buf: ByteSource, dictionary: dict[bytes, _Value], span: tuple[int, int], work: _Work) -> bytes:
    codec = dictionary.get(b"Filter")
    if isinstance(codec, list) and len(codec) == 1:
        codec = codec[0]
    if dictionary.get(b"DecodeParms") is not None or codec not in (None, b"FlateDecode"):
        # Predictors or other codecs: we could not look inside, so neither will we store it.
        raise PdfTooComplex()
    data = bytes(buf[span[0] : span[1]])
    if codec is not None:
        try:
            data = zlib.decompressobj().decompress(data, work.inflated_bytes + 1)
        except zlib.error as exc:
            raise CorruptFile(reason="pdf_object_stream") from exc
    work.inflate(len(data))
    if _ACTIVE_LONG.search(data) or _ACTIVE_SHORT.search(data) or _hides_names(data):
        raise PdfActiveContent()
    return data


def _object_stream(data: bytes, dictionary: dict[bytes, _Value], work: _Work) -> Iterator[tuple[int, _Value]]:
    first = dictionary.get(b"First")
    if type(first) is not int or first > len(data):
        raise CorruptFile(reason="pdf_object_stream")
    table = data[:first].split()
    if not all(token.isdigit() and len(token) <= 12 for token in table) or len(table) % 2:
        raise CorruptFile(reason="pdf_object_stream")
    members = [(int(table[i]), int(table[i + 1])) for i in range(0, len(table), 2)]
    # A member ends where the next one in the data starts, whatever order the table lists them in.
    starts = sorted({offset for _, offset in members})
    for number, offset in members:
        work.object()
        following = bisect.bisect_right(starts, offset)
        end = first + starts[following] if following < len(starts) else len(data)
        if first + offset > end:
            raise CorruptFile(reason="pdf_object_stream")
        tokens, _, keyword = _tokens(data, first + offset, end, work)
        if keyword is not None and keyword != b"endobj":
            raise CorruptFile(reason="pdf_object_stream")  # streams cannot sit in an object stream
        yield number, _only_value(tokens)


def _count_pages(objects: dict[int, tuple[int, _Value]], max_pages: int) -> int:
    page_objects = sum(1 for _, value in objects.values() if _type(value) == b"Page")
    declared = None
    # The newest catalog wins: incremental updates append a new one.
    for _, value in sorted(objects.values(), key=lambda item: item[0]):
        reference = value.get(b"Pages") if isinstance(value, dict) and _type(value) == b"Catalog" else None
        tree = objects.get(reference.number) if isinstance(reference, _Ref) else None
        count = tree[1].get(b"Count") if tree is not None and isinstance(tree[1], dict) else None
        if type(count) is int:
            declared = count
    pages = declared or page_objects
    if pages == 0:
        raise CorruptFile(reason="pdf_no_pages")
    if max(pages, page_objects) > max_pages:
        raise PdfTooManyPages(pages=max(pages, page_objects), max_pages=max_pages)
    return pages


def _type(value: _Value) -> bytes | None:
    kind = value.get(b"Type") if isinstance(value, dict) else None
    return kind if isinstance(kind, _Name) else None
