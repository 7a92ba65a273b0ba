"""Why an editorial request was refused. Codes are stable API: the console switches on them."""

from __future__ import annotations

from typing import Any

from server.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    Unprocessable,
    UnsupportedMediaType,
)


class ContentNotFound(NotFound):
    code = "content_not_found"
    default_message = "内容不存在"


class NotLive(NotFound):
    code = "content_not_live"
    default_message = "内容未发布或已下线"


class RevisionNotFound(NotFound):
    code = "revision_not_found"
    default_message = "版本不存在"


class StaleRevision(Conflict):
    """The item changed since the client loaded it: reload, merge, save again (never overwrite)."""

    code = "stale_revision"
    default_message = "内容已被他人修改，请刷新后再保存"

    def __init__(self, current_version: int, message: str | None = None) -> None:
        super().__init__(message, current_version=current_version)


class KeyTaken(Conflict):
    code = "key_taken"
    default_message = "编码已被其他内容使用"


class KeyFixed(Unprocessable):
    code = "key_fixed"
    default_message = "内容已发布或已定时发布，编码不能再修改"


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = "当前状态下不能执行该操作"


class NothingToPublish(Conflict):
    code = "nothing_to_publish"
    default_message = "没有未发布的修改"


class NotPublished(Conflict):
    code = "not_published"
    default_message = "内容当前未发布"


class ActionNotPermitted(Forbidden):
    code = "action_not_permitted"
    default_message = "没有执行该操作的权限"


class ContentInvalid(Unprocessable):
    """Every problem of a content body at once, each with its JSON-pointer path and its own code."""

    code = "content_invalid"
    default_message = "内容校验未通过"

    def __init__(self, problems: list[dict[str, Any]], message: str | None = None) -> None:
        summary = "; ".join(f"{p['path']}: {p['message']}" for p in problems[:5])
        super().__init__(message or f"内容校验未通过: {summary}", fields=problems)
        self.problems = problems


class IncompleteContent(Unprocessable):
    code = "incomplete_content"
    default_message = "内容不完整，不能提交或发布"

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"缺少必填内容: {', '.join(missing)}", missing=missing)


class ScheduleInvalid(Unprocessable):
    code = "schedule_invalid"
    default_message = "定时设置无效"


class CommentRequired(Unprocessable):
    code = "comment_required"
    default_message = "退回时必须填写意见"


class InvalidTimeParameter(BadRequest):
    code = "invalid_parameter"
    default_message = "时间参数无效"


class UnsupportedFileType(UnsupportedMediaType):
    code = "unsupported_file_type"
    default_message = "不支持的文件类型，请上传 PDF、Word、Excel、JPG 或 PNG 文件"


class EmptyFile(BadRequest):
    code = "empty_file"
    default_message = "文件为空"


class FileTooLarge(PayloadTooLarge):
    code = "file_too_large"
    default_message = "文件过大"
