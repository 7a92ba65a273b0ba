"""The one base handler: request ids, bounded JSON bodies, declared auth, and one error shape.

Every handler streams its body (``stream_request_body``) so that an oversized request is refused with
a JSON 413 instead of being buffered, and so upload handlers can write straight to disk. JSON handlers
collect the body here, up to ``max_json_body_bytes``.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import time
from typing import TYPE_CHECKING, Any, cast

import tornado.web
from pymongo.errors import ConnectionFailure

from server import jsonutil
from server.errors import (
    AppError,
    BadRequest,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    Unprocessable,
    UnsupportedMediaType,
)
from server.http.api import Operation, operation_of
from server.logs import log_access, request_id_var

if TYPE_CHECKING:
    from server.deps import Deps

log = logging.getLogger("yiwang.http")
access_log = logging.getLogger("yiwang.access")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Bodies up to this size are read and dropped before answering 413, so ordinary clients that send the
# whole body before reading get the JSON answer instead of a reset connection.
_DRAIN_LIMIT = 64 * 1024 * 1024


class _RequestIds:
    """16 hex characters: a random prefix per process and a counter. Unique across processes and restarts
    without a random draw (a system call) per request."""

    def __init__(self) -> None:
        self._renew()
        # Forked web processes (WEB_PROCESSES) must not share a prefix.
        os.register_at_fork(after_in_child=self._renew)

    def _renew(self) -> None:
        self._prefix = os.urandom(4).hex()
        self._counter = itertools.count()

    def next(self) -> str:
        return f"{self._prefix}{next(self._counter) & 0xFFFFFFFF:08x}"


_request_ids = _RequestIds()


class MalformedJson(BadRequest):
    code = "malformed_json"
    default_message = "请求体不是有效的 JSON"


class BodyTooLarge(PayloadTooLarge):
    code = "body_too_large"


class JsonRequired(UnsupportedMediaType):
    code = "json_required"
    default_message = "请求体必须是 application/json"


class InvalidParameter(BadRequest):
    code = "invalid_parameter"


class UnknownParameter(BadRequest):
    code = "unknown_parameter"


class RouteNotFound(NotFound):
    code = "route_not_found"
    default_message = "接口不存在"


class DatabaseUnavailable(ServiceUnavailable):
    code = "database_unavailable"
    default_message = "数据库暂时不可用，请稍后再试"


class ValidationFailed(Unprocessable):
    code = "validation_failed"


@tornado.web.stream_request_body
class BaseHandler(tornado.web.RequestHandler):
    principal: Any = None
    body: Any = None
    query: dict[str, Any]

    # ------------------------------------------------------------------ dependencies
    @property
    def deps(self) -> Deps:
        return cast("Deps", self.application.settings["deps"])

    @property
    def operation(self) -> Operation | None:
        return operation_of(type(self), self.request.method or "GET")

    # ------------------------------------------------------------------ request lifecycle
    def compute_etag(self) -> str | None:
        # Answers are no-store; where an ETag helps (delivery, objects) it comes from the data and is set
        # explicitly. Hashing every other body would be work for nothing.
        return None

    def set_default_headers(self) -> None:
        self.set_header("X-Request-Id", self.request_id)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Cache-Control", "no-store")

    @property
    def request_id(self) -> str:
        rid = getattr(self, "_request_id", None)
        if rid is None:
            incoming = self.request.headers.get("X-Request-Id", "")
            rid = incoming if _REQUEST_ID.match(incoming) else _request_ids.next()
            self._request_id = rid
        return rid

    def body_limit(self) -> int:
        return self.deps.settings.max_json_body_bytes

    async def prepare(self) -> None:
        request_id_var.set(self.request_id)
        self._started = time.perf_counter()
        self._chunks: list[bytes] = []
        self._received = 0
        self._too_large = False
        limit = self.body_limit()
        declared = self.request.headers.get("Content-Length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            if int(declared) > _DRAIN_LIMIT:
                raise BodyTooLarge(f"请求体超过 {limit} 字节上限", limit=limit)
            self._too_large = True
            self.request.connection.set_max_body_size(int(declared))  # type: ignore[union-attr]
        elif declared is None:
            # Chunked: data_received counts and drops what exceeds the limit, then we answer 413.
            self.request.connection.set_max_body_size(_DRAIN_LIMIT)  # type: ignore[union-attr]
        else:
            self.request.connection.set_max_body_size(max(limit, 1))  # type: ignore[union-attr]
        op = self.operation
        if op is not None and op.auth != "none":
            authenticator = self.deps.authenticators.get(op.auth)
            if authenticator is None:
                raise ServiceUnavailable(f"authentication {op.auth} is not configured",
                                         code="auth_not_configured")
            if not authenticator.needs_body:
                self.principal = await authenticator.authenticate(self, op)

    def data_received(self, chunk: bytes) -> None:
        self._received += len(chunk)
        if self._received > self.body_limit():
            self._too_large = True
            self._chunks.clear()
        elif not self._too_large:
            self._chunks.append(chunk)

    @property
    def raw_body(self) -> bytes:
        if self._too_large:
            raise BodyTooLarge(f"请求体超过 {self.body_limit()} 字节上限", limit=self.body_limit())
        return b"".join(self._chunks)

    async def before_endpoint(self, op: Operation) -> None:
        """Run by ``@endpoint`` once the body has arrived: auth that needs it, query, body."""
        if self._too_large:
            raise BodyTooLarge(f"请求体超过 {self.body_limit()} 字节上限", limit=self.body_limit())
        if op.auth != "none":
            authenticator = self.deps.authenticators[op.auth]
            if authenticator.needs_body:
                self.principal = await authenticator.authenticate(self, op)
        self.query = self.parse_query(op)
        if op.request is not None and op.request_content_type == "application/json":
            self.body = self.parse_json_body(op)

    def parse_query(self, op: Operation) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, raw_values in self.request.query_arguments.items():
            if name not in op.query:
                raise UnknownParameter(f"未知参数 {name}", parameter=name)
            schema = op.query[name]
            texts = [v.decode("utf-8", "replace") for v in raw_values]
            values[name] = _coerce_query(name, texts, schema)
        for name, schema in op.query.items():
            if name not in values:
                if name in op.required_query:
                    raise InvalidParameter(f"缺少参数 {name}", parameter=name)
                if "default" in schema:
                    values[name] = schema["default"]
        return values

    def parse_json_body(self, op: Operation) -> Any:
        content_type = self.request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise JsonRequired()
        raw = self.raw_body
        if not raw.strip():
            raise MalformedJson("请求体为空")
        try:
            data = jsonutil.loads(raw)
        except ValueError:
            raise MalformedJson() from None
        validator = op.request_validator()
        if validator is not None:
            errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
            if errors:
                raise ValidationFailed(
                    "内容校验未通过: " + "; ".join(_describe(e) for e in errors[:5]),
                    fields=[{"path": "/" + "/".join(str(p) for p in e.absolute_path),
                             "message": _describe(e)} for e in errors[:20]])
        return data

    # ------------------------------------------------------------------ responses
    def write_json(self, payload: Any, status: int = 200) -> None:
        self.write_json_bytes(jsonutil.dumps(payload), status)

    def write_json_bytes(self, body: bytes, status: int = 200) -> None:
        """A body already encoded as JSON (by ``jsonutil.dumps``), such as a kept rendering."""
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(body)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        error = _as_app_error(exc, status_code)
        self.set_status(error.status)
        for name, value in error.headers.items():
            self.set_header(name, value)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(jsonutil.dumps({"error": error.to_dict()}))

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, AppError):
            log.info("%s %s -> %s %s", self.request.method, self.request.path, value.status, value.code)
        elif isinstance(value, tornado.web.HTTPError):
            log.info("%s %s -> %s", self.request.method, self.request.path, value.status_code)
        elif isinstance(value, ConnectionFailure):
            log.warning("database unavailable: %s %s: %s", self.request.method, self.request.path, value)
        else:
            log.error("unhandled error in %s %s", self.request.method, self.request.path,
                      exc_info=(typ, value, tb))

    def on_finish(self) -> None:
        elapsed = (time.perf_counter() - getattr(self, "_started", time.perf_counter())) * 1000
        log_access(access_log, f"{self.request.method} {self.request.path} {self.get_status()} {elapsed:.1f}ms")


class NotFoundHandler(BaseHandler):
    async def prepare(self) -> None:
        request_id_var.set(self.request_id)
        raise RouteNotFound()


def _as_app_error(exc: BaseException | None, status_code: int) -> AppError:
    if isinstance(exc, AppError):
        return exc
    if isinstance(exc, ConnectionFailure):
        return DatabaseUnavailable()
    if isinstance(exc, tornado.web.HTTPError):
        if exc.status_code == 404:
            return RouteNotFound()
        if exc.status_code == 405:
            return MethodNotAllowed()
        if exc.status_code == 400:
            return BadRequest(exc.log_message or "请求无效")
        if 400 <= exc.status_code < 500:
            error = AppError(exc.log_message or exc.reason or "请求无效", code=f"http_{exc.status_code}")
            error.status = exc.status_code  # type: ignore[misc]
            return error
    error = AppError("服务器内部错误", code="internal_error")
    error.status = 500 if status_code < 500 else status_code  # type: ignore[misc]
    return error


def _describe(error: Any) -> str:
    where = "/".join(str(p) for p in error.absolute_path) or "(body)"
    return f"{where}: {error.message}"


def _coerce_query(name: str, texts: list[str], schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "array":
        items = schema.get("items", {})
        parts = [p for t in texts for p in t.split(",") if p != ""]
        return [_coerce_query(name, [p], items) for p in parts]
    if len(texts) > 1:
        raise InvalidParameter(f"参数 {name} 只能出现一次", parameter=name)
    text = texts[0]
    try:
        if kind == "integer":
            value: Any = int(text)
            if "minimum" in schema and value < schema["minimum"]:
                raise ValueError
            if "maximum" in schema and value > schema["maximum"]:
                raise ValueError
            return value
        if kind == "boolean":
            lowered = text.lower()
            if lowered in ("true", "1"):
                return True
            if lowered in ("false", "0"):
                return False
            raise ValueError
        if "enum" in schema and text not in schema["enum"]:
            raise ValueError
        if "maxLength" in schema and len(text) > schema["maxLength"]:
            raise ValueError
        if "pattern" in schema and not re.search(schema["pattern"], text):
            raise ValueError
        return text
    except ValueError:
        raise InvalidParameter(f"参数 {name} 的值无效", parameter=name) from None
