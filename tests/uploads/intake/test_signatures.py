from __future__ import annotations

import os

import pytest

from tests.uploads.intake.factories import zip_archive
from uploads.intake.errors import PolyglotFile
from uploads.intake.signatures import PDF_SIGNATURES, find_foreign_signature, reject_foreign_signatures


@pytest.mark.parametrize(
    "payload",
    [b"<ScRiPt src=x>", b"<HTML>", b"<!DOCTYPE  html>", b"%pdf-1.7", b"\x7fELF\x02\x01", b"<svg\n", b"JavaScript:go()"],
)
def test_signatures_are_found_in_any_case(payload: bytes) -> None:
    assert find_foreign_signature(b"metadata " + payload + b" more") is not None


def test_zip_needs_its_fixed_fields() -> None:
    archive = zip_archive()
    assert find_foreign_signature(archive) is not None
    assert find_foreign_signature(archive[-22:]) is not None  # end of central directory alone
    assert find_foreign_signature(b"PK\x03\x04\x99\x99") is None
    assert find_foreign_signature(b"PK\x05\x06\x00\x00\x00\x00\x01\x00\x02\x00") is None


def test_harmless_metadata_passes() -> None:
    xmp = b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
    assert find_foreign_signature(xmp + "拍摄于 <b>窗口</b>".encode()) is None
    assert find_foreign_signature(b"<svgfont>") is None


def test_random_bytes_do_not_match_the_pdf_list() -> None:
    noise = os.urandom(4 * 1024 * 1024)
    assert find_foreign_signature(noise, signatures=PDF_SIGNATURES) is None


def test_only_the_given_ranges_are_searched() -> None:
    data = b"<script>" + b"x" * 100 + b"<html>"
    reject_foreign_signatures(data, [(8, 100)])
    with pytest.raises(PolyglotFile) as refused:
        reject_foreign_signatures(data, [(8, 100), (100, len(data))])
    assert refused.value.details == {"signature": "<html"}
