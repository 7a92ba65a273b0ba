"""Notice-specific refusals."""

from __future__ import annotations

from cms.content.errors import NotLive


class NoticeNotLive(NotLive):
    code = "notice_not_live"
    default_message = "通知公告不存在或未发布"
