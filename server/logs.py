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


TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
_JSON_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"


class _SecondFormatter(logging.Formatter):
    """Formats the time of a line once per second: ``strftime`` was a fifth of the cost of an access line."""

    _second = -1
    _datefmt: str | None = None
    _formatted = ""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return self.time_text(record.created, record.msecs, datefmt)

    def time_text(self, created: float, msecs: float, datefmt: str | None) -> str:
        second = int(created)
        if second != self._second or datefmt != self._datefmt:
            self._formatted = time.strftime(datefmt or self.default_time_format, self.converter(created))
            self._second, self._datefmt = second, datefmt
        if datefmt or not self.default_msec_format:
            return self._formatted
        return self.default_msec_format % (self._formatted, msecs)

    def info_line(self, name: str, request_id: str, message: str, created: float) -> str | None:
        """The line ``format`` makes of an INFO record of this message; None if that needs the record."""
        return None


def _msecs(created: float) -> float:
    return int((created - int(created)) * 1000) + 0.0  # as LogRecord computes it


class MaskingFormatter(_SecondFormatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_personal_numbers(super().format(record))

    def info_line(self, name: str, request_id: str, message: str, created: float) -> str | None:
        if self._fmt != TEXT_FORMAT:
            return None
        when = self.time_text(created, _msecs(created), self.datefmt)
        return mask_personal_numbers(f"{when} INFO [{request_id}] {name}: {message}")


class JsonMaskingFormatter(_SecondFormatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = self._entry(self.formatTime(record, _JSON_TIME_FORMAT), record.levelname, record.name,
                            getattr(record, "request_id", "-"), record.getMessage())
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return mask_personal_numbers(orjson.dumps(entry).decode())

    def info_line(self, name: str, request_id: str, message: str, created: float) -> str | None:
        entry = self._entry(self.time_text(created, _msecs(created), _JSON_TIME_FORMAT), "INFO", name, request_id,
                            message)
        return mask_personal_numbers(orjson.dumps(entry).decode())

    @staticmethod
    def _entry(when: str, level: str, name: str, request_id: str, message: str) -> dict[str, str]:
        return {"time": when, "level": level, "logger": name, "request_id": request_id, "message": message}


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
            line = self.format(record)
        except Exception:
            self.handleError(record)
            return
        self._queue(line, record.levelno >= logging.WARNING, record)

    def write_info_line(self, line: str) -> None:
        """A line formatted already (see ``log_access``), written as an INFO record's would be."""
        self.acquire()
        try:
            self._queue(line, False, None)
        finally:
            self.release()

    def _queue(self, line: str, urgent: bool, record: logging.LogRecord | None) -> None:
        self._pending.append(line + self.terminator)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None or urgent:
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


class _Configured:
    """The handler ``configure_logging`` installed, and its formatter (module state, as logging's own is)."""

    handler: LoopBatchingHandler | None = None
    formatter: _SecondFormatter | None = None


def log_access(logger: logging.Logger, message: str) -> None:
    """``logger.info(message)``, for the line every request logs. When the configured handler is the only one
    that would see the line, the line goes to it directly: building a LogRecord and passing it through the
    logging machinery was a twentieth of the cost of a search request. The line is the same either way."""
    handler, formatter = _Configured.handler, _Configured.formatter
    if handler is not None and formatter is not None and logger.isEnabledFor(logging.INFO) and _only_handler(
            logger, handler):
        line = formatter.info_line(logger.name, request_id_var.get(), message, time.time())
        if line is not None:
            handler.write_info_line(line)
            return
    logger.info("%s", message)


def _only_handler(logger: logging.Logger, handler: logging.Handler) -> bool:
    current: logging.Logger | None = logger
    while current is not None:
        if current.filters:
            return False
        if current.parent is None:  # the root
            # (the handler's one filter is RequestIdFilter, whose work the direct line does itself)
            return current.handlers == [handler] and handler.level <= logging.INFO and len(handler.filters) == 1
        if current.handlers or not current.propagate:
            return False
        current = current.parent
    return False


def configure_logging(level: str = "INFO", *, json_lines: bool = False, stream: IO[str] | None = None) -> None:
    handler = LoopBatchingHandler(stream or sys.stderr)
    handler.addFilter(RequestIdFilter())
    formatter: _SecondFormatter = JsonMaskingFormatter() if json_lines else MaskingFormatter(TEXT_FORMAT)
    handler.setFormatter(formatter)
    _Configured.handler, _Configured.formatter = handler, formatter
    # No format here shows the caller's file or line (finding them walks the stack on every line), nor
    # the thread or process (looked up for every record otherwise).
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
