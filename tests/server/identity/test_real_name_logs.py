"""No whole ID number (or mobile) reaches the logs, whether a binding succeeds or fails."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from server.logs import configure_logging
from tests.miniprogram_api.factories import (
    INVALID_ID,
    MOBILE,
    OTHER_VALID_ID,
    VALID_ID,
    alipay_login,
    bind,
    wechat_login,
)
from tests.support.logs import restored_root_logging
from tests.support.server import TestServer


class _RawMessages(logging.Handler):
    """Every record's message and traceback before any formatter could mask it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        self.texts.append(text)


@pytest.fixture
def captured_logs() -> Iterator[tuple[io.StringIO, _RawMessages]]:
    output, raw = io.StringIO(), _RawMessages()
    with restored_root_logging() as root:
        configure_logging("DEBUG", stream=output)
        root.addHandler(raw)
        yield output, raw


@pytest.mark.asyncio
async def test_bindings_never_log_a_whole_id_number_or_mobile(
        server: TestServer, captured_logs: tuple[io.StringIO, _RawMessages]) -> None:
    output, raw = captured_logs
    wechat, alipay, other = (await wechat_login(server, "alice"), await alipay_login(server, "alice"),
                             await wechat_login(server, "mallory"))
    outcomes = [
        await bind(server, wechat, id_number=INVALID_ID),  # valid-looking, wrong check character
        await bind(server, wechat),
        await bind(server, wechat),  # idempotent repeat
        await bind(server, alipay),  # joins the WeChat citizen
        await bind(server, other, name="李四"),  # verified under a later name: the same person renamed
        await bind(server, wechat, id_number=OTHER_VALID_ID),  # already bound to another number
        await server.post("/mp/v1/me/real-name/verifications", token=wechat,
                          headers={"Content-Type": "application/json"},
                          body=f'{{"name": "x", "id_number": {INVALID_ID}}}'.encode()),
        await server.post("/mp/v1/me/real-name", token=wechat, headers={"Content-Type": "application/json"},
                          body=f'{{"verification_id": "x", "mobile": {MOBILE}}}'.encode()),
    ]
    assert [o.status for o in outcomes] == [422, 200, 200, 200, 200, 409, 422, 422]

    formatted = output.getvalue()
    assert "/mp/v1/me/real-name" in formatted  # the capture did see the requests
    everything = formatted + "\n".join(raw.texts)
    for number in (VALID_ID, INVALID_ID, OTHER_VALID_ID, MOBILE):
        assert number not in everything
        assert number[:-1] + number[-1].lower() not in everything
