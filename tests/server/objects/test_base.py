from __future__ import annotations

import pytest

from server.objects.base import (
    InvalidContentType,
    InvalidObjectKey,
    check_content_type,
    check_key,
    check_prefix,
    content_disposition,
)


def test_keys_the_product_generates_are_accepted() -> None:
    for key in ("a", "cases/2026/0001/materials/3f2a.pdf", "guides/g-1/attach_v2.docx", "x" * 512):
        assert check_key(key) == key
    for prefix in ("", "cases/", "cases/20", "cases/2026/0001/"):
        assert check_prefix(prefix) == prefix


@pytest.mark.parametrize("key", ["", "/a", "a/", "a//b", "../a", "a/..", "a/.b", "a b", "a\nb", "文件",
                                 "a\\b", "x" * 513])
def test_keys_that_could_escape_or_hide_are_refused(key: str) -> None:
    with pytest.raises(InvalidObjectKey):
        check_key(key)


def test_content_disposition_keeps_the_exact_name_and_an_ascii_fallback() -> None:
    assert content_disposition("report.pdf") == \
        "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"
    assert content_disposition("营业执照 副本.jpg") == (
        "attachment; filename=\"____ __.jpg\"; "
        "filename*=UTF-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7%20%E5%89%AF%E6%9C%AC.jpg")


def test_content_disposition_cannot_inject_headers_or_paths() -> None:
    value = content_disposition('../evil"\r\nSet-Cookie: x=1.html')
    assert "\r" not in value
    assert "\n" not in value
    assert 'filename=".._evil_Set-Cookie: x=1.html"' in value
    assert "filename*=UTF-8''.._evil%22Set-Cookie%3A%20x%3D1.html" in value
    assert content_disposition("\r\n") == "attachment; filename=\"download\"; filename*=UTF-8''download"


def test_content_types_must_be_media_types() -> None:
    assert check_content_type("image/jpeg") == "image/jpeg"
    assert check_content_type("text/plain; charset=utf-8") == "text/plain; charset=utf-8"
    for bad in ("", "jpeg", "text/html\r\nX: 1", "a/b/c", "图片/jpeg"):
        with pytest.raises(InvalidContentType):
            check_content_type(bad)
