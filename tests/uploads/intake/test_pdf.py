from __future__ import annotations

import time
import zlib

import pytest

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
