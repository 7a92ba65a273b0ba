from __future__ import annotations

from server.logs import mask_personal_numbers


def test_personal_numbers_and_url_secrets_are_masked() -> None:
    assert mask_personal_numbers("id 51160219900101002X ok") == "id 5116**********002X ok"
    assert mask_personal_numbers("tel:13812345678.") == "tel:138****5678."
    assert mask_personal_numbers("GET /x?js_code=abc&secret=s3&q=1") == "GET /x?js_code=***&secret=***&q=1"
    assert mask_personal_numbers("GET /x?code=1&mobile=13812345678") == "GET /x?code=***&mobile=138****5678"


def test_other_numbers_are_left_alone() -> None:
    for line in ("GET /mp/v1/search 200 7.1ms", "case YW2026112400012", "order 1234567890", "a=1 b=2"):
        assert mask_personal_numbers(line) == line
