from __future__ import annotations

import asyncio
import io
import logging
import re
import time

import orjson
import pytest

from server.logs import (
    TEXT_FORMAT,
    JsonMaskingFormatter,
    LoopBatchingHandler,
    MaskingFormatter,
    configure_logging,
    log_access,
    mask_personal_numbers,
)
from tests.support.logs import restored_root_logging


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


class _Writes(io.StringIO):
    """A stream that remembers each write."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return super().write(text)


def _logger(stream: _Writes) -> logging.Logger:
    logger = logging.Logger("yiwang.test.batching", logging.INFO)
    handler = LoopBatchingHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger.addHandler(handler)
    return logger


@pytest.mark.asyncio
async def test_lines_of_one_loop_turn_are_written_together_at_its_end() -> None:
    stream = _Writes()
    logger = _logger(stream)
    logger.info("GET /a 200")
    logger.info("GET /b 200")
    assert stream.writes == []
    await asyncio.sleep(0)
    assert stream.writes == ["INFO GET /a 200\nINFO GET /b 200\n"]
    logger.info("GET /c 200")
    await asyncio.sleep(0)
    assert stream.writes[1:] == ["INFO GET /c 200\n"]


@pytest.mark.asyncio
async def test_warnings_and_lines_from_threads_are_written_at_once_in_order() -> None:
    stream = _Writes()
    logger = _logger(stream)
    logger.info("first")
    logger.warning("trouble")
    assert stream.getvalue() == "INFO first\nWARNING trouble\n"
    await asyncio.to_thread(logger.info, "from a thread")
    assert stream.getvalue().endswith("INFO from a thread\n")
    logger.info("pending")
    logger.handlers[0].flush()  # as logging.shutdown does at exit
    assert stream.getvalue().endswith("INFO pending\n")


def test_outside_an_event_loop_lines_are_written_at_once() -> None:
    stream = _Writes()
    _logger(stream).info("from the command line")
    assert stream.writes == ["INFO from the command line\n"]


@pytest.mark.parametrize("formatter", [MaskingFormatter(TEXT_FORMAT), JsonMaskingFormatter()])
def test_a_line_made_without_a_record_is_the_line_made_from_one(formatter: logging.Formatter) -> None:
    at = time.mktime((2026, 11, 24, 9, 30, 15, 0, 0, -1)) + 0.25
    record = _record(at)
    record.name, record.msg, record.args = "yiwang.access", "%s", ("GET /mp/v1/me 200 1.5ms 13812345678",)
    record.msecs = 250.0
    assert isinstance(formatter, MaskingFormatter | JsonMaskingFormatter)
    direct = formatter.info_line("yiwang.access", "r1", "GET /mp/v1/me 200 1.5ms 13812345678", at)
    assert direct == formatter.format(record)
    assert direct is not None
    assert "138****5678" in direct


def test_access_lines_reach_every_handler_there_is() -> None:
    stream = _Writes()
    extra = _Writes()
    logger = logging.getLogger("yiwang.access")
    with restored_root_logging() as root:
        configure_logging("INFO", stream=stream)
        log_access(logger, "GET /a 200 1.0ms")  # straight to the one handler
        root.addHandler(logging.StreamHandler(extra))
        log_access(logger, "GET /b 200 1.0ms")  # through logging, to both
        root.setLevel(logging.WARNING)
        log_access(logger, "GET /c 200 1.0ms")  # not at all
    lines = stream.getvalue().splitlines()
    assert [line.split("yiwang.access: ")[1] for line in lines] == ["GET /a 200 1.0ms", "GET /b 200 1.0ms"]
    assert all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO \[-\] yiwang\.access: ", line) for line in lines)
    assert extra.getvalue() == "GET /b 200 1.0ms\n"
