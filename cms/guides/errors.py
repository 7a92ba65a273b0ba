"""Guide-specific refusals."""

from __future__ import annotations

from cms.content.errors import KeyTaken, NotLive


class ImplementationCodeTaken(KeyTaken):
    code = "implementation_code_taken"
    default_message = "实施编码已被其他办事指南使用"


class GuideNotLive(NotLive):
    code = "guide_not_live"
    default_message = "办事指南不存在或未发布"
