from __future__ import annotations

import io
import time
import zlib

import pytest
from PIL import Image

from tests.uploads.intake.factories import GOOD, HOSTILE, object_stream_pdf, pages_pdf, pdf, zip_archive
from uploads.intake.errors import (
    CorruptFile,
    PdfActiveContent,
    PdfEncrypted,
    PdfTooComplex,
    PdfTooManyPages,
    PolyglotFile,
    TruncatedFile,
)
from uploads.intake.pdf import inspect_pdf

MB = 1024 * 1024


def pages(data: bytes, max_pages: int = 50, max_inflated_bytes: int = 4 * MB) -> int:
    return inspect_pdf(data, max_pages=max_pages, max_inflated_bytes=max_inflated_bytes).pages


def test_page_counts() -> None:
    assert pages(pages_pdf(1)) == 1
    assert pages(pages_pdf(7)) == 7
    assert inspect_pdf(pages_pdf(2), max_pages=5, max_inflated_bytes=MB).version == "1.4"


def test_incremental_update_counts_the_newest_page_tree() -> None:
    # Pillow appended a page: the old tree says 1 page, the new catalog's tree says 2.
    assert pages((GOOD / "duplicate_xref_entry.pdf").read_bytes()) == 2


def test_pages_inside_compressed_object_streams() -> None:
    assert pages(object_stream_pdf(4)) == 4


def test_hostile_trailer_loop_is_harmless_to_us() -> None:
    # Pillow's PdfParser loops on its trailer chain; we never follow trailers.
    assert pages((HOSTILE / "trailer_loop.pdf").read_bytes()) == 1


def test_too_many_pages() -> None:
    with pytest.raises(PdfTooManyPages) as refused:
        pages(pages_pdf(6), max_pages=5)
    assert refused.value.details == {"pages": 6, "max_pages": 5}
    with pytest.raises(PdfTooManyPages):
        pages(object_stream_pdf(6), max_pages=5)


def test_no_pages_is_corrupt() -> None:
    with pytest.raises(CorruptFile):
        pages(pdf({1: b"<< /Type /Catalog >>"}))


def test_encrypted() -> None:
    with pytest.raises(PdfEncrypted) as refused:
        pages(pages_pdf(1, trailer_extra=b"/Encrypt 9 0 R /ID [<01><01>] "))
    assert refused.value.code == "pdf_encrypted"


@pytest.mark.parametrize(
    "catalog_extra",
    [
        b"/OpenAction << /S /JavaScript /JS (app.alert('hi')) >> ",
        b"/OpenAction << /S /J#61vaScript /J#53 (app.alert('hi')) >> ",
        b"/Names << /EmbeddedFiles << /Names [(a.exe) 9 0 R] >> >> ",
        b"/OpenAction << /S /Launch /F (cmd.exe) >> ",
        b"/AcroForm << /XFA 9 0 R >> ",
        b"/AA << /O << /S /SubmitForm /F (http://x) >> >> ",
    ],
    ids=["javascript", "escaped-javascript", "embedded-file", "launch", "xfa", "submit-form"],
)
def test_active_content(catalog_extra: bytes) -> None:
    with pytest.raises(PdfActiveContent) as refused:
        pages(pages_pdf(1, catalog_extra=catalog_extra))
    assert refused.value.status == 422


def test_active_content_inside_a_compressed_object_stream() -> None:
    with pytest.raises(PdfActiveContent):
        pages(object_stream_pdf(1, hidden=b"/AA << /O << /S /Launch >> >> /JS 5 0 R"))


def test_hiding_an_object_stream_behind_escapes_is_refused() -> None:
    data = object_stream_pdf(1).replace(b"/ObjStm", b"/Obj#53tm")
    with pytest.raises(PdfActiveContent):
        pages(data)


def test_font_names_with_escapes_are_fine() -> None:
    assert pages(pages_pdf(1, catalog_extra=b"/Font#20Name /Arial#2CBold ")) == 1


def test_object_stream_inflating_past_the_budget() -> None:
    with pytest.raises(PdfTooComplex):
        pages(object_stream_pdf(1, inflated_padding=2 * MB), max_inflated_bytes=MB)


def test_broken_object_stream() -> None:
    data = object_stream_pdf(2)
    start = data.index(b"stream\n") + len(b"stream\n")
    damaged = data[:start] + b"\x00garbage" + data[start + 8 :]
    with pytest.raises(CorruptFile):
        pages(damaged)


def test_missing_end_is_truncated() -> None:
    data = pages_pdf(1)
    with pytest.raises(TruncatedFile):
        pages(data[: data.rindex(b"%%EOF")])
    cut_in_a_stream = object_stream_pdf(1)
    cut_in_a_stream = cut_in_a_stream[: cut_in_a_stream.index(b"stream\n") + 20]
    with pytest.raises(TruncatedFile):
        pages(cut_in_a_stream + b"\n%%EOF\n")


@pytest.mark.parametrize(
    "appended",
    [b"<html><script>alert(1)</script></html>", zip_archive(), b"x" * 2000],
    ids=["html", "zip", "junk"],
)
def test_data_after_eof_is_a_polyglot(appended: bytes) -> None:
    with pytest.raises(PolyglotFile):
        pages(pages_pdf(1) + appended)


def test_whitespace_after_eof_is_fine() -> None:
    assert pages(pages_pdf(1) + b"\r\n\x00\x00  \n") == 1


def test_zip_hidden_before_a_final_eof_is_a_polyglot() -> None:
    # ZIP readers find the archive from its end record; a trailing %%EOF does not hide it.
    with pytest.raises(PolyglotFile):
        pages(pages_pdf(1) + zip_archive() + b"\n%%EOF\n")


def test_html_inside_a_pdf_is_a_polyglot() -> None:
    with pytest.raises(PolyglotFile):
        pages(pages_pdf(1, catalog_extra=b"/Title (<script>alert(1)</script>) "))


def test_compressed_streams_do_not_trip_the_signature_search() -> None:
    noise = zlib.compress(bytes(range(256)) * 4000, 1)
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(noise) + noise + b"\nendstream"
    data = pdf(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            3: b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
            4: stream,
        }
    )
    assert pages(data) == 1


def test_bad_header() -> None:
    with pytest.raises(CorruptFile):
        pages(b"%PDF-x.y\n" + pages_pdf(1)[9:])


def test_long_digit_runs_keep_the_object_search_linear() -> None:
    # An unanchored object-header pattern took 6 minutes on 200 KB of digits (and holds the GIL).
    data = pages_pdf(1).replace(b"%PDF-1.4\n", b"%PDF-1.4\n" + b"7" * 50_000 + b"\n", 1)
    started = time.monotonic()
    assert pages(data) == 1
    assert time.monotonic() - started < 2.0


def test_countless_escaped_names_are_too_complex() -> None:
    data = pages_pdf(1).replace(b"%PDF-1.4\n", b"%PDF-1.4\n" + b"/a#20" * 100_001 + b"\n", 1)
    with pytest.raises(PdfTooComplex):
        pages(data)


# --- What readers see but a keyword search does not -----------------------------------------------------


@pytest.mark.parametrize(
    "hidden",
    [
        b"/AA << /O << /S /Java#53cript /J#53 (app.alert(1)) >> >>",
        b"/AA << /O << /S /#4Caunch /F (cmd.exe) >> >>",
        b"/AA << /O << /S /Submit#46orm /F (http://evil/) >> >>",
    ],
    ids=["javascript", "launch", "submit-form"],
)
def test_escaped_names_inside_a_compressed_object_stream(hidden: bytes) -> None:
    data = object_stream_pdf(1, hidden=hidden)
    escaped = [token for token in hidden.split() if b"#" in token]
    assert escaped
    assert not any(token in data for token in escaped)  # only inflating the object stream shows them
    with pytest.raises(PdfActiveContent):
        pages(data)


def test_an_object_stream_without_its_type_is_still_inflated_and_checked() -> None:
    # Readers unpack whatever stream an xref entry names; they do not look at /Type.
    data = object_stream_pdf(1, hidden=b"/AA << /O << /S /JavaScript /JS 9 0 R >> >>").replace(b"/Type /ObjStm ", b"")
    with pytest.raises(PdfActiveContent):
        pages(data)


FAKE_STREAM = b"/X (stream\n) "
FAKE_END = b" /Y (endstream) "


@pytest.mark.parametrize(
    "hidden",
    [b"/AA << /O << /S /SubmitForm /F (http://evil/) >> >>", b"/AcroForm << /XFA 9 0 R >>"],
    ids=["submit-form", "xfa"],
)
def test_a_string_saying_stream_hides_nothing(hidden: bytes) -> None:
    with pytest.raises(PdfActiveContent):
        pages(pages_pdf(1, catalog_extra=FAKE_STREAM + hidden + FAKE_END))


def test_pages_behind_a_string_saying_stream_count() -> None:
    # The page tree admits one page; five more page objects sit between "stream" and "endstream" strings.
    data = pdf(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R " + FAKE_STREAM + b">>",
            2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            **{number: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>" for number in range(3, 9)},
            9: b"<<" + FAKE_END + b">>",
        }
    )
    with pytest.raises(PdfTooManyPages) as refused:
        pages(data, max_pages=5)
    assert refused.value.details == {"pages": 6, "max_pages": 5}


def test_strings_saying_stream_in_a_plain_pdf_are_fine() -> None:
    data = pages_pdf(2, catalog_extra=b"/Title (stream\n) /Subject (a \\) (nested) string endstream) ")
    assert pages(data) == 2


def test_an_object_inside_an_unterminated_string_is_refused() -> None:
    # The "string" would run over the object stream, which readers find through the xref table.
    data = object_stream_pdf(1, hidden=b"/AA << /O << /S /J#61vaScript >> >>")
    data = data.replace(b"1000 0 obj", b"999 0 obj\n<< /Title (\n>>\nendobj\n1000 0 obj")
    with pytest.raises(CorruptFile) as refused:
        pages(data)
    assert refused.value.details == {"reason": "pdf_structure"}


def stream_object(data: bytes, length: bytes | None = None) -> bytes:
    declared = b"%d" % len(data) if length is None else length
    return b"<< /Length " + declared + b" >>\nstream\n" + data + b"\nendstream"


def one_page_with(stream: bytes, *extra: tuple[int, bytes]) -> bytes:
    return pdf(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            3: b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
            4: stream,
            **dict(extra),
        }
    )


def test_stream_length_may_be_indirect() -> None:
    content = b"BT /F1 12 Tf (stream) Tj ET"
    assert pages(one_page_with(stream_object(content, b"5 0 R"), (5, b"%d" % len(content)))) == 1


def test_a_wrong_stream_length_falls_back_to_endstream() -> None:
    assert pages(one_page_with(stream_object(b"q 1 0 0 1 0 0 cm Q", b"3"))) == 1


def test_an_object_inside_stream_data_is_refused() -> None:
    # The xref table can point into stream data: readers would find the page action there.
    hidden = b"\n9 0 obj\n<< /Type /Page /AA << /O << /S /SubmitForm >> >> >>\nendobj\n"
    with pytest.raises(CorruptFile) as refused:
        pages(one_page_with(stream_object(b"q Q" + hidden + b"q Q")))
    assert refused.value.details == {"reason": "pdf_structure"}


def test_stream_data_holding_endstream_before_its_length_is_refused() -> None:
    # Readers that look for endstream rather than trust /Length would read the rest as objects.
    with pytest.raises(CorruptFile) as refused:
        pages(one_page_with(stream_object(b"q Q\nendstream\n/SubmitForm\nq Q")))
    assert refused.value.details == {"reason": "pdf_stream"}


def test_a_stream_that_does_not_follow_a_dictionary_is_refused() -> None:
    with pytest.raises(CorruptFile) as refused:
        pages(one_page_with(b"[1 2] stream\nq Q\nendstream"))
    assert refused.value.details == {"reason": "pdf_stream"}


def test_an_object_header_with_a_comment_in_it_is_refused() -> None:
    # "1000 %\n0 obj" is an object to readers; the object stream behind it must not pass unseen.
    packed = object_stream_pdf(1, hidden=b"/AA << /O << /S /J#61vaScript >> >>")
    with pytest.raises(CorruptFile) as refused:
        pages(packed.replace(b"1000 0 obj", b"1000 %\n0 obj"))
    assert refused.value.details == {"reason": "pdf_structure"}


def test_object_stream_members_listed_out_of_order() -> None:
    data = object_stream_pdf(3)
    start = data.index(b"stream\n") + len(b"stream\n")
    end = data.index(b"\nendstream", start)
    inflated = zlib.decompress(data[start:end])
    first = int(data[data.index(b"/First ") + 7 :].split()[0])
    table = inflated[:first].split()
    pairs = [table[i : i + 2] for i in range(0, len(table), 2)]
    header = b" ".join(b" ".join(pair) for pair in reversed(pairs)).ljust(first)
    packed = zlib.compress(header + inflated[first:])
    data = data[:start] + packed + data[end:]
    data = data.replace(b"/Length %d" % (end - start), b"/Length %d" % len(packed))
    assert pages(data, max_pages=3) == 3
    with pytest.raises(PdfTooManyPages):
        pages(data, max_pages=2)


@pytest.mark.parametrize("mode", ["RGB", "L", "1", "CMYK"])
def test_pdfs_written_by_pillow_are_accepted(mode: str) -> None:
    frames = [Image.new(mode, (300, 200), 128) for _ in range(4)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "PDF", save_all=True, append_images=frames[1:], title="申请 (copy) \\ 1")
    assert pages(buffer.getvalue()) == 4


def test_countless_tokens_are_too_complex() -> None:
    data = pages_pdf(1, catalog_extra=b"/Junk [" + b"0 " * 1_000_001 + b"] ")
    started = time.monotonic()
    with pytest.raises(PdfTooComplex):
        pages(data)
    assert time.monotonic() - started < 5.0
