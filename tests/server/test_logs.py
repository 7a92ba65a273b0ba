from __future__ import annotations

import logging
import time

import orjson

from server.logs import JsonMaskingFormatter, MaskingFormatter, mask_personal_numbers


def test_personal_numbers_and_url_secrets_are_masked() -> None:
    assert mask_personal_numbers("id 51160219900101002X ok") == "id 5116**********002X ok"
    assert mask_personal_numbers("tel:13812345678.") == "tel:138****5678."
    assert mask_personal_numbers("GET /x?js_code=abc&secret=s3&q=1") == "GET /x?js_code=***&secret=***&q=1"
    assert mask_personal_numbers("GET /x?code=1&mobile=13812345678") == "GET /x?code=***&mobile=138****5678"


def test_other_numbers_are_left_alone() -> None:
    for line in ("GET /mp/v1/search 200 7.1ms", "case YW2026112400012", "order 1234567890", "a=1 b=2"):
        assert mask_personal_numbers(line) == line


def _record(created: float) -> logging.LogRecord:
    record = logging.LogRecord("yiwang.test", logging.INFO, __file__, 1, "a line", None, None)
    record.created = created
    record.msecs = (created - int(created)) * 1000
    record.request_id = "r1"
    return record


def test_lines_show_their_own_time_to_the_millisecond() -> None:
    formatter = MaskingFormatter("%(asctime)s %(message)s")
    at = time.mktime((2026, 11, 24, 9, 30, 15, 0, 0, -1))
    assert formatter.format(_record(at + 0.125)) == "2026-11-24 09:30:15,125 a line"
    assert formatter.format(_record(at + 0.5)) == "2026-11-24 09:30:15,500 a line"
    assert formatter.format(_record(at + 1.0625)) == "2026-11-24 09:30:16,062 a line"
    assert formatter.format(_record(at - 60)) == "2026-11-24 09:29:15,000 a line"


def test_json_lines_show_their_own_second() -> None:
    formatter = JsonMaskingFormatter()
    at = time.mktime((2026, 11, 24, 9, 30, 15, 0, 0, -1))
    first = orjson.loads(formatter.format(_record(at + 0.9)))
    second = orjson.loads(formatter.format(_record(at + 1.1)))
    assert (first["time"], second["time"]) == ("2026-11-24T09:30:15", "2026-11-24T09:30:16")
    assert first["request_id"] == "r1"
