"""Logging: one line per event, the request id on every line, personal numbers never written whole.

Masking happens in the formatter, on the final text, so it also covers exception tracebacks and
messages from libraries that we do not control.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
import sys
import time
from typing import IO

import orjson

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# 18-character citizen ID numbers and mainland mobile numbers, wherever they appear in a line.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{10}(\d{3}[\dXx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


# Provider credentials that libraries put into logged URLs (WeChat's secret and login code).
_URL_SECRET = re.compile(r"((?:secret|js_code|code|access_token|sign)=)[^&\s\"']+")


# Both numbers have at least eleven digits in a row: most lines have none, and one scan tells.
_LONG_NUMBER = re.compile(r"\d{11}")


def mask_personal_numbers(text: str) -> str:
    if "=" in text:
        text = _URL_SECRET.sub(r"\1***", text)
    if _LONG_NUMBER.search(text) is None:
        return text
    text = _ID_NUMBER.sub(lambda m: f"{m.group(1)}{'*' * 10}{m.group(2)}", text)
    return _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class _SecondFormatter(logging.Formatter):
    """Formats the time of a line once per second: ``strftime`` was a fifth of the cost of an access line."""

    _second = -1
    _datefmt: str | None = None
    _formatted = ""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        second = int(record.created)
        if second != self._second or datefmt != self._datefmt:
            self._formatted = time.strftime(datefmt or self.default_time_format, self.converter(record.created))
            self._second, self._datefmt = second, datefmt
        if datefmt or not self.default_msec_format:
            return self._formatted
        return self.default_msec_format % (self._formatted, record.msecs)


class MaskingFormatter(_SecondFormatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_personal_numbers(super().format(record))


class JsonMaskingFormatter(_SecondFormatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return mask_personal_numbers(orjson.dumps(entry).decode())


class LoopBatchingHandler(logging.StreamHandler):
    """Writes the lines logged in one turn of the event loop with one write, at the end of that turn.

    A write is a system call, and a busy web process made one per request for its access line alone: a
    tenth of the cost of a search request. Warnings and errors, and lines logged outside the event loop
    (threads, command-line tools), are written at once, after what is pending, so order is kept and what
    matters is not held back. At most the lines of the current turn are lost if the process is killed.
    """

    def __init__(self, stream: IO[str]) -> None:
        super().__init__(stream)
        self._pending: list[str] = []
        self._scheduled_on: asyncio.AbstractEventLoop | None = None

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._pending.append(self.format(record) + self.terminator)
        except Exception:
            self.handleError(record)
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None or record.levelno >= logging.WARNING:
            self._write_pending(record)
        elif self._scheduled_on is not loop:
            # (a turn scheduled on a loop that has since closed never runs: a new loop schedules its own)
            self._scheduled_on = loop
            loop.call_soon(self._end_of_turn)

    def flush(self) -> None:
        self.acquire()
        try:
            self._write_pending(None)
            super().flush()
        finally:
            self.release()

    def _end_of_turn(self) -> None:
        self.acquire()
        try:
            self._scheduled_on = None
            self._write_pending(None)
        finally:
            self.release()

    def _write_pending(self, record: logging.LogRecord | None) -> None:
        if not self._pending:
            return
        text = "".join(self._pending)
        self._pending.clear()
        try:
            self.stream.write(text)
            self.stream.flush()
        except Exception:
            if record is not None:
                self.handleError(record)


def configure_logging(level: str = "INFO", *, json_lines: bool = False, stream: IO[str] | None = None) -> None:
    handler = LoopBatchingHandler(stream or sys.stderr)
    handler.addFilter(RequestIdFilter())
    if json_lines:
        handler.setFormatter(JsonMaskingFormatter())
    else:
        handler.setFormatter(MaskingFormatter(
            "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    # No format here shows the caller's file or line (finding them walks the stack on every line), nor
    # the thread or process (looked up for every record otherwise).
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
