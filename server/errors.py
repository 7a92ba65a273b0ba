"""The one error family of the product.

Domain code raises an ``AppError`` subclass; ``BaseHandler.write_error`` renders every one of them as
``{"error": {"code": ..., "message": ..., **details}}`` with the class's HTTP status. Anything else that
escapes a handler is a logged 500. Codes are stable API: clients switch on them, so never rename one.
"""

from __future__ import annotations

from typing import Any, ClassVar


class AppError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    default_message: ClassVar[str] = "请求无效"

    def __init__(self, message: str | None = None, *, code: str | None = None, **details: Any) -> None:
        self.message = message or self.default_message
        if code is not None:
            self.code = code  # type: ignore[misc]
        self.details = details
        self.headers: dict[str, str] = {}
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.details}


class BadRequest(AppError):
    status = 400
    code = "bad_request"
    default_message = "请求无效"


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"
    default_message = "请先登录"


class Forbidden(AppError):
    status = 403
    code = "forbidden"
    default_message = "没有权限"


class NotFound(AppError):
    status = 404
    code = "not_found"
    default_message = "未找到"


class MethodNotAllowed(AppError):
    status = 405
    code = "method_not_allowed"
    default_message = "不支持该请求方法"


class Conflict(AppError):
    status = 409
    code = "conflict"
    default_message = "与当前状态冲突"


class Gone(AppError):
    status = 410
    code = "gone"
    default_message = "已失效"


class PayloadTooLarge(AppError):
    status = 413
    code = "payload_too_large"
    default_message = "请求内容过大"


class UnsupportedMediaType(AppError):
    status = 415
    code = "unsupported_media_type"
    default_message = "不支持的内容类型"


class Unprocessable(AppError):
    status = 422
    code = "validation_failed"
    default_message = "内容校验未通过"


class TooManyRequests(AppError):
    status = 429
    code = "too_many_requests"
    default_message = "请求过于频繁，请稍后再试"

    def __init__(self, message: str | None = None, *, retry_after: int, code: str | None = None,
                 **details: Any) -> None:
        super().__init__(message, code=code, retry_after=retry_after, **details)
        self.headers["Retry-After"] = str(retry_after)


class ServiceUnavailable(AppError):
    status = 503
    code = "service_unavailable"
    default_message = "服务暂时不可用，请稍后再试"


class UpstreamError(AppError):
    """A provider (WeChat, Alipay, object store) answered with an error we cannot fix by retrying now."""

    status = 502
    code = "upstream_error"
    default_message = "上游服务出错，请稍后再试"
